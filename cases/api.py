"""Read-only case API over the same selectors as the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from . import permissions, selectors, services
from .forms import CaseFilterForm
from .models import Case, CaseAccess, CaseTransfer, Organisation, Person, Role, StageChange
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


class StageChangeSerializer(serializers.ModelSerializer):
    event_display = serializers.CharField(source="get_event_display", read_only=True)
    actor = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "event", "event_display", "reason", "actor", "at"]

    def get_reason(self, obj) -> str:
        # Stored as a code: in the reader's language (cases.reasons).
        return selectors.history_reason_text(obj.reason)

    def get_actor(self, obj) -> str | None:
        return obj.actor.display_name if obj.actor else None


class MoveStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[c for c in Case.Stage.choices if c[0] != Case.Stage.CLOSED])
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PersonCorrectSerializer(serializers.Serializer):
    """Any of the person's details to correct, and the reason. A date of birth replaces the
    estimated age."""

    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    other_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    citizenships = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, help_text='ISO 3166 codes, e.g. ["UA"].'
    )
    stateless = serializers.BooleanField(required=False)
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, help_text="Why the details are corrected.")

    def validate_citizenships(self, value):
        from django_countries import countries

        unknown = [code for code in value if code.upper() not in dict(countries)]
        if unknown:
            raise serializers.ValidationError(f"Unknown country codes: {', '.join(unknown)}")
        return [code.upper() for code in value]


class ReopenSerializer(ReasonSerializer):
    caseworker = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a caseworker of the NGO to assign again."
    )


class TransferProposeSerializer(ReasonSerializer):
    organisation = serializers.IntegerField(help_text="Id of the mandated NGO to hand the case to.")


class TransferSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    from_organisation = serializers.CharField(source="from_organisation.name", read_only=True)
    to_organisation = serializers.CharField(source="to_organisation.name", read_only=True)

    class Meta:
        model = CaseTransfer
        fields = [
            "id",
            "case",
            "from_organisation",
            "to_organisation",
            "status",
            "reason",
            "proposed_at",
            "decided_at",
            "decline_reason",
        ]


class TransferAcceptSerializer(serializers.Serializer):
    caseworker = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a caseworker of your NGO to assign."
    )


def _caseworker(organisation_id: int, pk: int | None):
    if pk is None:
        return None
    worker = selectors.caseworkers_of(organisation_id=organisation_id).filter(pk=pk).first()
    if worker is None:
        raise serializers.ValidationError({"caseworker": [str(services.NOT_ASSIGNABLE % {"name": pk})]})
    return worker


_REFUSED = OpenApiResponse(description="Why the change is refused, per field")


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

    def _case_response(self, case: Case) -> Response:
        case = selectors.case_get_for_user_or_404(user=self.request.user, reference=case.reference)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Move the case to another stage by hand, with a reason (NGO coordinators; docs/lifecycle.md)",
        request=MoveStageSerializer,
        responses={200: CaseDetailSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def stage(self, request, reference=None):
        case = self.get_object()
        data = MoveStageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_move_to_stage(
            case=case,
            stage=data.validated_data["stage"],
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return self._case_response(case)

    @extend_schema(
        summary="Correct the person's details with a reason (the caseworker or the coordinator)",
        request=PersonCorrectSerializer,
        responses={200: CaseDetailSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def person(self, request, reference=None):
        case = self.get_object()
        data = PersonCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason")
        if values.get("date_of_birth"):
            values["estimated_age"] = None
        services.person_correct(case=case, actor=request.user, reason=reason, **values)
        return self._case_response(case)

    @extend_schema(
        summary="Close the case with a reason; every assignment ends (NGO coordinators)",
        request=ReasonSerializer,
        responses={200: CaseDetailSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, reference=None):
        case = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_close(case=case, actor=request.user, reason=data.validated_data["reason"])
        return self._case_response(case)

    @extend_schema(
        summary="Reopen a closed case with a reason; it returns to the stage its records imply (NGO coordinators)",
        request=ReopenSerializer,
        responses={200: CaseDetailSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, reference=None):
        case = self.get_object()
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        caseworker = _caseworker(case.organisation_id, data.validated_data.get("caseworker"))
        case = services.case_reopen(
            case=case, actor=request.user, reason=data.validated_data["reason"], caseworker=caseworker
        )
        return self._case_response(case)

    @extend_schema(
        summary="Propose to transfer the case to another mandated NGO, whose coordinator answers (NGO coordinators)",
        request=TransferProposeSerializer,
        responses={201: TransferSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, reference=None):
        case = self.get_object()
        data = TransferProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = Organisation.objects.filter(pk=data.validated_data["organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError({"organisation": ["Unknown organisation."]})
        transfer = services.case_transfer_propose(
            case=case, to_organisation=organisation, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(TransferSerializer(transfer).data, status=201)

    @extend_schema(
        summary="The case's stage history: each move and the event that made it",
        responses=StageChangeSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="stage-history")
    def stage_history(self, request, reference=None):
        case = self.get_object()
        return Response(StageChangeSerializer(case.stage_changes.select_related("actor"), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Transfers offered to your NGO, awaiting its answer (NGO coordinators)"),
    retrieve=extend_schema(summary="One transfer offered to your NGO; 404 when missing or out of scope"),
)
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TransferSerializer
    pagination_class = None

    def get_queryset(self):
        if not permissions.has_role(self.request.user, Role.COORDINATOR):
            raise PermissionDenied
        return selectors.transfers_incoming_for_user(user=self.request.user)

    def get_object(self):
        from django.http import Http404

        try:
            return selectors.transfer_incoming_for_user_or_404(
                user=self.request.user, pk=int(self.kwargs["pk"])
            )
        except (Http404, ValueError) as exc:
            raise NotFound from exc

    @extend_schema(
        summary="Accept: the case and its access move to your NGO (its coordinators)",
        request=TransferAcceptSerializer,
        responses={200: TransferSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        transfer = self.get_object()
        data = TransferAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not permissions.has_role(request.user, Role.COORDINATOR):
            raise PermissionDenied
        caseworker = _caseworker(request.user.organisation_id, data.validated_data.get("caseworker"))
        transfer = services.case_transfer_accept(transfer=transfer, actor=request.user, caseworker=caseworker)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(
        summary="Decline with a reason the sending NGO sees (its coordinators)",
        request=ReasonSerializer,
        responses={200: TransferSerializer, 400: _REFUSED},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        transfer = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.case_transfer_decline(
            transfer=transfer, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(TransferSerializer(transfer).data)
