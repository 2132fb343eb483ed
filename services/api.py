"""Stage-2 API under /api/v1/cases/<reference>/...: the same selectors, services and messages as
the pages. A refused rule is a 400 carrying the service's message; out of scope is a 404."""

from __future__ import annotations

from django_countries.serializer_fields import CountryField as CountrySerializerField
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.drf import VOID_FIELDS, CaseNestedMixin

from . import selectors, services
from .models import (
    AssistanceRecord,
    CriminalProceeding,
    Ground,
    Hearing,
    Identification,
    ReflectionPeriod,
    ResidencePermit,
)

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The case reference, e.g. NRM-2026-0042."
)


# --- serializers ------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    profession = serializers.CharField(allow_blank=True)


class IdentificationSerializer(serializers.ModelSerializer):
    proposed_by = serializers.CharField(source="proposed_by.display_name", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.display_name", read_only=True, allow_null=True, default=None
    )
    le_country = CountrySerializerField(read_only=True)
    commission_members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Identification
        fields = [
            "id",
            "ground",
            "outcome",
            "outcome_reason",
            "cp_case_number",
            "cp_date",
            "cp_body",
            "le_institution",
            "le_country",
            "le_number",
            "le_date",
            "commission_date",
            "commission_members",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "return_reason",
        ]
        read_only_fields = fields


class IdentificationProposeSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=Ground.choices)
    outcome = serializers.ChoiceField(
        choices=Identification.Outcome.choices, default=Identification.Outcome.IDENTIFIED
    )
    outcome_reason = serializers.CharField(required=False, allow_blank=True, default="")
    cp_case_number = serializers.CharField(required=False, allow_blank=True, default="")
    cp_date = serializers.DateField(required=False, allow_null=True, default=None)
    cp_body = serializers.CharField(required=False, allow_blank=True, default="")
    le_institution = serializers.CharField(required=False, allow_blank=True, default="")
    le_country = CountrySerializerField(required=False, allow_blank=True, default="")
    le_number = serializers.CharField(required=False, allow_blank=True, default="")
    le_date = serializers.DateField(required=False, allow_null=True, default=None)
    commission_date = serializers.DateField(required=False, allow_null=True, default=None)
    commission_members = MemberSerializer(many=True, required=False, default=list)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AssistanceSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True)

    class Meta:
        model = AssistanceRecord
        fields = [
            "id",
            "kind",
            "started_on",
            "ended_on",
            "arranged_by",
            "outcome",
            "claim",
            "amount_eur",
            "compensation_status",
            "recorded_by",
            "created_at",
            *VOID_FIELDS,
        ]
        read_only_fields = ["id", "recorded_by", "created_at"]
        # The rules (dates in order, compensation-only fields) are the model's and the service's.
        validators = []


class HearingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hearing
        fields = ["id", "date", "place", "note", *VOID_FIELDS]
        read_only_fields = ["id"]


class ProceedingSerializer(serializers.ModelSerializer):
    hearings = HearingSerializer(many=True, read_only=True)

    class Meta:
        model = CriminalProceeding
        fields = ["id", "case_number", "procedural_status", "body", "note", "hearings", *VOID_FIELDS]
        read_only_fields = ["id", "hearings"]
        validators = []


class ReflectionPeriodSerializer(serializers.ModelSerializer):
    days_remaining = serializers.SerializerMethodField()

    class Meta:
        model = ReflectionPeriod
        fields = ["start_date", "last_day", "days_remaining", "status", "ended_on", "end_reason"]
        read_only_fields = ["last_day", "days_remaining", "status", "ended_on", "end_reason"]

    def get_days_remaining(self, obj) -> int:
        from django.utils import timezone

        return obj.days_remaining_on(timezone.localdate())


class ReflectionStartSerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class ReflectionEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="The period's last day; before its day 30.")
    reason = serializers.CharField(help_text="Why it ended early (e.g. the person decided to cooperate).")


class ResidencePermitSerializer(serializers.ModelSerializer):
    step = serializers.CharField(read_only=True)

    class Meta:
        model = ResidencePermit
        fields = [
            "travel_document_presented_on",
            "travel_document_type",
            "travel_document_number",
            "application_submitted_on",
            "decision",
            "decision_on",
            "permit_number",
            "valid_from",
            "valid_until",
            "step",
        ]
        read_only_fields = ["step"]
        validators = []


# --- viewsets ---------------------------------------------------------------------------------


class ServicesCaseMixin(CaseNestedMixin):
    case_selector = selectors.services_case_for_user_or_404


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The identification proposals of a case, newest first"),
    retrieve=extend_schema(summary="One identification proposal"),
    create=extend_schema(
        summary="Propose the identification on exactly one ground", request=IdentificationProposeSerializer
    ),
)
class IdentificationViewSet(
    ServicesCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Identification.objects.none()  # for the schema; get_queryset scopes to the case
    lookup_value_regex = r"\d+"
    serializer_class = IdentificationSerializer

    def get_queryset(self):
        return selectors.identification_list(case=self.get_case())

    def list(self, request, *args, **kwargs):
        self.record_read()
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        self.record_read()
        return super().retrieve(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        data = IdentificationProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["commission_members"] = [dict(m) for m in fields.get("commission_members") or []]
        identification = services.identification_propose(case=case, actor=request.user, **fields)
        return Response(IdentificationSerializer(identification).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve a proposal (a coordinator who did not propose it)",
        request=None,
        responses=IdentificationSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        identification = self.get_object()
        identification = services.identification_approve(identification=identification, actor=request.user)
        return Response(IdentificationSerializer(identification).data)

    @extend_schema(
        summary="Return a proposal with a reason",
        request=ReturnSerializer,
        responses=IdentificationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_proposal(self, request, *args, **kwargs):
        identification = self.get_object()
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identification = services.identification_return(
            identification=identification, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(IdentificationSerializer(identification).data)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The assistance recorded on a case"),
    create=extend_schema(summary="Record assistance (state-funded kinds only for an identified victim)"),
)
class AssistanceViewSet(ServicesCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = AssistanceRecord.objects.none()  # for the schema; get_queryset scopes to the case
    lookup_value_regex = r"\d+"
    serializer_class = AssistanceSerializer

    def get_queryset(self):
        return selectors.assistance_list(case=self.get_case())

    def list(self, request, *args, **kwargs):
        self.record_read()
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        data = AssistanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.assistance_record(case=case, actor=request.user, **data.validated_data)
        return Response(AssistanceSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The criminal proceedings concerning the victim, with their hearings"),
    create=extend_schema(summary="Record criminal proceedings"),
)
class ProceedingViewSet(ServicesCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = CriminalProceeding.objects.none()  # for the schema; get_queryset scopes to the case
    lookup_value_regex = r"\d+"
    serializer_class = ProceedingSerializer

    def get_queryset(self):
        return selectors.proceeding_list(case=self.get_case())

    def list(self, request, *args, **kwargs):
        self.record_read()
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        data = ProceedingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proceeding = services.proceeding_record(case=case, actor=request.user, **data.validated_data)
        return Response(ProceedingSerializer(proceeding).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record a hearing", request=HearingSerializer, responses={201: HearingSerializer})
    @action(detail=True, methods=["post"])
    def hearings(self, request, *args, **kwargs):
        proceeding = self.get_object()
        data = HearingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hearing = services.hearing_record(proceeding=proceeding, actor=request.user, **data.validated_data)
        return Response(HearingSerializer(hearing).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(
        summary="The reflection period of a case (404 when none)", responses=ReflectionPeriodSerializer
    ),
    create=extend_schema(
        summary="Start the 30-day reflection period of a third-country national",
        request=ReflectionStartSerializer,
        responses={201: ReflectionPeriodSerializer},
    ),
)
class ReflectionPeriodViewSet(ServicesCaseMixin, viewsets.GenericViewSet):
    queryset = ReflectionPeriod.objects.none()  # for the schema; get_queryset scopes to the case
    lookup_value_regex = r"\d+"
    serializer_class = ReflectionPeriodSerializer

    def get_queryset(self):
        return ReflectionPeriod.objects.filter(case=self.get_case())

    def list(self, request, *args, **kwargs):
        period = self.get_queryset().first()
        self.record_read()
        if period is None:
            return Response({"detail": "No reflection period."}, status=status.HTTP_404_NOT_FOUND)
        return Response(ReflectionPeriodSerializer(period).data)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        data = ReflectionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.reflection_period_start(
            case=case, actor=request.user, start_date=data.validated_data["start_date"]
        )
        return Response(ReflectionPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End a running reflection period early, with the reason",
        request=ReflectionEndSerializer,
        responses=ReflectionPeriodSerializer,
    )
    @action(detail=False, methods=["post"])
    def end(self, request, *args, **kwargs):
        case = self.get_case()
        data = ReflectionEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.reflection_period_end(case=case, actor=request.user, **data.validated_data)
        return Response(ReflectionPeriodSerializer(period).data)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(
        summary="The residence permit of a case (404 when none)", responses=ResidencePermitSerializer
    ),
    create=extend_schema(
        summary="Record the residence-permit workflow (creates it, or updates the steps recorded so far)",
        request=ResidencePermitSerializer,
        responses={200: ResidencePermitSerializer, 201: ResidencePermitSerializer},
    ),
)
class ResidencePermitViewSet(ServicesCaseMixin, viewsets.GenericViewSet):
    queryset = ResidencePermit.objects.none()  # for the schema; get_queryset scopes to the case
    lookup_value_regex = r"\d+"
    serializer_class = ResidencePermitSerializer

    def get_queryset(self):
        return ResidencePermit.objects.filter(case=self.get_case())

    def list(self, request, *args, **kwargs):
        permit = self.get_queryset().first()
        self.record_read()
        if permit is None:
            return Response({"detail": "No residence permit."}, status=status.HTTP_404_NOT_FOUND)
        return Response(ResidencePermitSerializer(permit).data)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        existing = self.get_queryset().first()
        data = ResidencePermitSerializer(existing, data=request.data, partial=existing is not None)
        data.is_valid(raise_exception=True)
        permit = services.residence_permit_save(case=case, actor=request.user, **data.validated_data)
        return Response(
            ResidencePermitSerializer(permit).data,
            status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED,
        )
