"""The documents API: list and upload under the case's reference, download by id; the same
selectors, services and rules as the pages."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases.drf import CaseNestedMixin

from . import permissions, selectors, services
from .models import Document, DocumentType, RecordKind
from .permissions import Action
from .views import file_response

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The case reference, e.g. NRM-2026-0042."
)


class DocumentSerializer(serializers.ModelSerializer):
    doc_type_display = serializers.CharField(source="get_doc_type_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "doc_type",
            "doc_type_display",
            "title",
            "document_date",
            "record_kind",
            "record_id",
            "content_type",
            "size",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        url = reverse("document-download", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, JPEG or PNG, decided by the content; images lose their metadata."
    )
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    document_date = serializers.DateField()
    record_kind = serializers.ChoiceField(choices=RecordKind.choices, default=RecordKind.CASE)
    record_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2_147_483_647
    )


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The case's documents (type, title, date and download URL), newest first"),
    create=extend_schema(
        summary="Attach a document (multipart); the answer carries its download URL",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    ),
)
class CaseDocumentViewSet(CaseNestedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Document.objects.none()  # for the schema; get_queryset scopes to the case
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    case_selector = selectors.documents_case_for_user_or_404

    def get_queryset(self):
        return selectors.document_list(case=self.get_case())

    def list(self, request, *args, **kwargs):
        self.record_read()
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        permissions.require(request.user, Action.ATTACH, case)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        document = services.document_attach(
            case=case,
            actor=request.user,
            upload=fields.pop("file"),
            record_id=fields.pop("record_id", None),
            **fields,
        )
        return Response(
            DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    download=extend_schema(
        summary="Download a document: the file as an attachment, never cached; logged in the case's read log",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="Missing, removed, or out of the user's scope"),
        },
    ),
)
class DocumentViewSet(viewsets.GenericViewSet):
    queryset = Document.objects.none()
    serializer_class = DocumentSerializer
    lookup_value_regex = r"\d+"

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from django.http import Http404
        from rest_framework.exceptions import NotFound

        try:
            document = selectors.document_get_for_user_or_404(user=request.user, pk=int(pk))
        except (Http404, ValueError) as error:
            raise NotFound from error
        return file_response(document, services.document_read(document=document, actor=request.user))
