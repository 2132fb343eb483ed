"""The referral API over the same selectors and services as the pages, with the same errors."""

from django.http import Http404
from django_countries import countries
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from cases import permissions as case_permissions

from . import permissions, selectors, services
from .models import Exploitation, Indicator, Informed, Referral, ReferralAccess, UrgentNeed
from .permissions import Action


class ReferralSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_anonymous = serializers.BooleanField(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    citizenships = serializers.SerializerMethodField()
    country_of_exploitation = serializers.SerializerMethodField()
    case_reference = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "status_display",
            "is_anonymous",
            "organisation",
            "created_by",
            "created_at",
            "submitted_at",
            "decided_at",
            "decline_reason",
            "consent",
            "child_without_consent",
            "informed",
            "informed_details",
            "given_name",
            "family_name",
            "other_names",
            "date_of_birth",
            "estimated_age",
            "sex",
            "citizenships",
            "languages",
            "phone",
            "email",
            "address",
            "met_on",
            "met_place",
            "indicators",
            "indicators_notes",
            "forms_of_exploitation",
            "country_of_exploitation",
            "urgent_needs",
            "case_reference",
        ]
        read_only_fields = fields

    def get_citizenships(self, obj) -> list[str]:
        return [c.code for c in obj.citizenships]

    def get_country_of_exploitation(self, obj) -> str:
        return obj.country_of_exploitation.code or ""

    def get_case_reference(self, obj) -> str | None:
        # The case behind an accepted referral, only for who may open it: never the referrer.
        if not obj.case_id:
            return None
        user = self.context["request"].user
        return (
            obj.case.reference
            if case_permissions.can(user, case_permissions.Action.VIEW_CASE, obj.case)
            else None
        )


def _choices(enum):
    return serializers.ListField(child=serializers.ChoiceField(choices=enum.choices), required=False)


class ReferralInputSerializer(serializers.Serializer):
    """Parsing only; every field may be missing from a draft, and the services say what a
    submitted referral needs."""

    draft = serializers.BooleanField(
        required=False, default=False, help_text="Save as a draft instead of submitting."
    )
    consent = serializers.BooleanField(required=False, allow_null=True)
    child_without_consent = serializers.BooleanField(
        required=False,
        help_text="A child (under 18) referred without the child's own consent; record who was informed.",
    )
    informed = _choices(Informed)
    informed_details = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    other_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = serializers.ChoiceField(choices=Referral.Sex.choices, required=False)
    citizenships = serializers.ListField(
        child=serializers.ChoiceField(choices=list(countries)), required=False
    )
    languages = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    met_on = serializers.DateField(required=False, allow_null=True)
    met_place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    indicators = _choices(Indicator)
    indicators_notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    forms_of_exploitation = _choices(Exploitation)
    country_of_exploitation = serializers.ChoiceField(
        choices=list(countries), required=False, allow_blank=True
    )
    urgent_needs = _choices(UrgentNeed)


class AcceptSerializer(serializers.Serializer):
    caseworker = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a caseworker of your NGO."
    )
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of a person your NGO already knows; empty for a new person.",
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


CountsSerializer = inline_serializer(
    name="ReferralCounts",
    fields={
        name: serializers.IntegerField() for name in ("total", "waiting", "accepted", "declined", "anonymous")
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="Referrals the user may read (first responders: their organisation's; coordinators: the queue and their NGO's decisions)"
    ),
    retrieve=extend_schema(summary="One referral; 404 when missing or out of scope"),
    create=extend_schema(
        summary="Submit a referral, or save it as a draft (first responders)",
        request=ReferralInputSerializer,
        responses={
            201: ReferralSerializer,
            400: OpenApiResponse(description="What is missing or wrong, per field"),
        },
    ),
)
class ReferralViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return selectors.referral_list_for_user(user=self.request.user).select_related("case")

    def paginate_queryset(self, queryset):
        """A list answer records every referral it shows in the read log, in one insert."""
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        services.referral_access_record_many(
            referral_ids=[r.pk for r in rows], actor=self.request.user, kind=ReferralAccess.Kind.API
        )
        return page

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        services.referral_access_record_many(
            referral_ids=[referral.pk], actor=request.user, kind=ReferralAccess.Kind.API
        )
        return Response(self.get_serializer(referral).data)

    def get_object(self):
        try:
            return selectors.referral_get_for_user_or_404(user=self.request.user, pk=int(self.kwargs["pk"]))
        except (Http404, ValueError) as exc:
            raise NotFound from exc

    def _input(self, partial=False) -> dict:
        serializer = ReferralInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, referral, code=status.HTTP_200_OK):
        referral = selectors.referral_get_for_user_or_404(user=self.request.user, pk=referral.pk)
        services.referral_access_record_many(
            referral_ids=[referral.pk], actor=self.request.user, kind=ReferralAccess.Kind.API
        )
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        if not permissions.can(request.user, Action.CREATE):
            raise PermissionDenied(str(services.NOT_A_FIRST_RESPONDER))
        data = self._input()
        draft = data.pop("draft", False)
        if draft:
            referral = services.referral_save_draft(actor=request.user, data=data)
        else:
            referral = services.referral_submit(actor=request.user, data=data)
        return self._respond(referral, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft, and submit it unless `draft` is true (its author)",
        request=ReferralInputSerializer,
        responses={
            200: ReferralSerializer,
            400: OpenApiResponse(description="What is missing or wrong, per field"),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        referral = self.get_object()
        data = self._input(partial=True)
        draft = data.pop("draft", False)
        if draft:
            referral = services.referral_save_draft(actor=request.user, data=data, referral=referral)
        else:
            referral = services.referral_submit(actor=request.user, data=data, referral=referral)
        return self._respond(referral)

    @extend_schema(
        summary="Accept: open a case for a new or a known person and assign a caseworker (NGO coordinators)",
        request=AcceptSerializer,
        responses={
            200: ReferralSerializer,
            400: OpenApiResponse(description="Why the referral cannot be accepted"),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = self.get_object()
        if not permissions.is_intake_coordinator(request.user):
            raise PermissionDenied
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caseworker = None
        caseworker_id = serializer.validated_data.get("caseworker")
        if caseworker_id is not None:
            caseworker = selectors.caseworkers_for_intake(user=request.user).filter(pk=caseworker_id).first()
            if caseworker is None:
                raise ValidationError({"caseworker": [str(services.CASEWORKER_NOT_AVAILABLE)]})
        referral = services.referral_accept(
            referral=referral,
            actor=request.user,
            caseworker=caseworker,
            person_id=serializer.validated_data.get("person"),
        )
        return self._respond(referral)

    @extend_schema(
        summary="Decline with a reason the referrer sees (NGO coordinators)",
        request=DeclineSerializer,
        responses={
            200: ReferralSerializer,
            400: OpenApiResponse(description="Why the referral cannot be declined"),
        },
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = self.get_object()
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_decline(
            referral=referral, actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return self._respond(referral)

    @extend_schema(
        summary="Counts by status, no personal details (national and NGO coordinators)",
        responses={200: CountsSerializer},
    )
    @action(detail=False, methods=["get"])
    def counts(self, request, format=None):
        counts = selectors.referral_counts_for_user(user=request.user)
        if counts is None:
            raise PermissionDenied
        return Response(counts)
