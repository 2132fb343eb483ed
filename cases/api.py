"""Read-only case API over the same selectors as the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from . import permissions, selectors, services
from .forms import CaseFilterForm
from .models import Case, CaseAccess, Person
from .pagination import BoundedPageNumberPagination
from .permissions import Action
from .sections import case_api_extra_fields


class PersonSummarySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    age_is_estimated = serializers.BooleanField(read_only=True)
    citizenships = serializers.SerializerMethodField()
    is_minor = serializers.BooleanField(read_only=True, allow_null=True)
    is_third_country_national = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "display_name",
            "age",
            "age_is_estimated",
            "sex",
            "citizenships",
            "languages",
            "is_minor",
            "is_third_country_national",
        ]

    def get_citizenships(self, obj) -> list[str]:
        return [c.code for c in obj.citizenships]


class CaseSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    victim_status_display = serializers.CharField(source="get_victim_status_display", read_only=True)
    caseworkers = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "stage",
            "stage_display",
            "victim_status",
            "victim_status_display",
            "opened_on",
            "closed_at",
            "organisation",
            "person",
            "caseworkers",
        ]

    def get_caseworkers(self, obj) -> list[str]:
        return [a.user.display_name for a in getattr(obj, "active_assignments", [])]


class ContactSerializer(serializers.Serializer):
    """The person's contact as the user may see it: on a high-risk case phone, e-mail and address
    are absent for whoever may not see them (cases.permissions.contact_visible), and
    contact_withheld says why."""

    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    contact_withheld = serializers.CharField(required=False)
    safe_contact_instructions = serializers.CharField()


def contact_data(contact: selectors.ContactView) -> dict:
    """The contact keys of the API: the withheld values are not in the response at all."""
    data: dict = {}
    if contact.visible:
        data.update(phone=contact.phone, email=contact.email, address=contact.address)
    else:
        data["contact_withheld"] = contact.withheld_notice
    data["safe_contact_instructions"] = contact.instructions
    return data


class CaseDetailSerializer(CaseSerializer):
    """One case (not the list), with the keys stage apps contribute (cases.sections)."""

    risk_level = serializers.CharField(read_only=True)
    contact = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "risk_level", "contact"]

    @extend_schema_field(ContactSerializer)
    def get_contact(self, obj) -> dict:
        return contact_data(selectors.person_contact_for_user(user=self.context["request"].user, case=obj))

    def get_fields(self):
        fields = super().get_fields()
        fields.update(case_api_extra_fields())
        return fields


@extend_schema_view(
    list=extend_schema(summary="Cases the user may see"),
    retrieve=extend_schema(summary="One case; 404 when missing or out of scope"),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    # The count stops at LIST_COUNT_CAP (cases/pagination.py, docs/performance.md).
    pagination_class = BoundedPageNumberPagination
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]+"

    def get_queryset(self):
        if not permissions.can(self.request.user, Action.LIST_CASES):
            return Case.objects.none()
        # The page's filter form parses the API's filters too: malformed input is a 400 with the
        # form's messages, never a database error.
        form = CaseFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return selectors.case_list_for_user(
            user=self.request.user,
            search=form.cleaned_data["q"],
            stage=form.cleaned_data["stage"],
            status=form.cleaned_data["status"],
        )

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def paginate_queryset(self, queryset):
        # Every case a list answer shows is in the read log, in one insert.
        page = super().paginate_queryset(queryset)
        services.case_access_record_many(
            case_ids=[c.pk for c in (page if page is not None else queryset)],
            actor=self.request.user,
            kind=CaseAccess.Kind.API,
        )
        return page

    def get_object(self):
        from django.http import Http404

        try:
            case = selectors.case_get_for_user_or_404(
                user=self.request.user, reference=self.kwargs["reference"]
            )
        except Http404 as exc:
            raise NotFound from exc
        services.case_access_record(case=case, actor=self.request.user, kind=CaseAccess.Kind.API)
        return case
