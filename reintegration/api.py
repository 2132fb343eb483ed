"""Stage 3 through /api/v1/reintegration/: the same selectors, services, rules and messages.

A partner's user reads the narrow serializers only: the person's name and the other names they
use, age (and whether a minor), sex, contact and languages, the NGO's note to them and the NGO's
contact person for the case (the one who referred it), and their own records.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.api import contact_data
from cases.drf import VOID_FIELDS
from cases.models import CaseAccess, Organisation
from cases.services import case_access_record, case_access_record_many

from . import permissions, selectors, services
from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral

NO_SUCH_CASE = _("No case open to you has this reference.")
NO_SUCH_PARTNER = _(
    "No organisation has this id; choose a municipal social service or the State Employment Agency."
)
NO_SUCH_REFERRAL = _("No referral open to you has this id.")


def _narrow(request) -> bool:
    return permissions.is_partner_user(request.user)


class _ReadLogged:
    """A list answer records every case it shows in the read log, in one insert (a partner's
    rows as narrow views); case_of gives the case id of one row."""

    @staticmethod
    def case_of(row) -> int:
        return row.case_id

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        case_access_record_many(
            case_ids=[self.case_of(row) for row in rows],
            actor=self.request.user,
            kind=CaseAccess.Kind.NARROW if _narrow(self.request) else CaseAccess.Kind.API,
        )
        return page


# --- referrals --------------------------------------------------------------------------------


class PartnerReferralSerializer(serializers.ModelSerializer):
    """The NGO side (and the national coordinator): the referral with who did what."""

    case = serializers.CharField(source="case.reference", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    partner_kind = serializers.CharField(source="partner.kind", read_only=True)
    referred_by = serializers.CharField(source="referred_by.display_name", read_only=True)

    class Meta:
        model = PartnerReferral
        fields = [
            "id",
            "case",
            "partner",
            "partner_name",
            "partner_kind",
            "needs_note",
            "status",
            "referred_by",
            "referred_at",
            "withdrawn_at",
            "withdraw_reason",
            "completed_at",
            "outcome",
            "legal_basis",
            "consent_given_on",
            "consent_how",
            "consent_covers",
            "other_basis",
            "consent_withdrawn_on",
        ]
        read_only_fields = fields


class PartnerNarrowPersonSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    also_known_as = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    age_is_estimated = serializers.BooleanField()
    is_minor = serializers.BooleanField(allow_null=True)
    sex = serializers.CharField()
    languages = serializers.CharField()
    # Absent on a high-risk case unless disclosed to the partner; contact_withheld says why.
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    contact_withheld = serializers.CharField(required=False)
    safe_contact_instructions = serializers.CharField()


class NgoContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()


class RightToWorkSerializer(serializers.Serializer):
    is_third_country_national = serializers.BooleanField(allow_null=True)
    residence_permit_recorded = serializers.BooleanField()
    may_work_for_any_employer_until = serializers.DateField(allow_null=True)


class PartnerReferralNarrowSerializer(serializers.ModelSerializer):
    """The partner's narrow view of a referred case."""

    case = serializers.CharField(source="case.reference", read_only=True)
    mandated_ngo = serializers.CharField(source="case.organisation.name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    person = serializers.SerializerMethodField()
    ngo_contact = serializers.SerializerMethodField()
    right_to_work = serializers.SerializerMethodField()

    class Meta:
        model = PartnerReferral
        fields = [
            "id",
            "case",
            "mandated_ngo",
            "ngo_contact",
            "partner",
            "partner_name",
            "needs_note",
            "status",
            "referred_at",
            "person",
            "right_to_work",
        ]
        read_only_fields = fields

    @extend_schema_field(PartnerNarrowPersonSerializer)
    def get_person(self, obj) -> dict:
        person = obj.case.person
        contact = case_selectors.person_contact_for_user(user=self.context["request"].user, case=obj.case)
        return {
            "display_name": person.display_name,
            "also_known_as": person.other_names,
            "age": person.age,
            "age_is_estimated": person.age_is_estimated,
            "is_minor": person.is_minor,
            "sex": person.sex,
            "languages": person.languages,
            **contact_data(contact),
        }

    @extend_schema_field(NgoContactSerializer)
    def get_ngo_contact(self, obj) -> dict:
        return {"name": obj.referred_by.display_name, "email": obj.referred_by.email}

    @extend_schema_field(RightToWorkSerializer(allow_null=True))
    def get_right_to_work(self, obj) -> dict | None:
        # Only on one referral of the agency: the permit is another app's read, not for a list.
        if not self.context.get("detail") or not obj.is_employment:
            return None
        permit = selectors.residence_permit_info(case=obj.case)
        person = obj.case.person
        return {
            "is_third_country_national": person.is_third_country_national,
            "residence_permit_recorded": permit.recorded,
            "may_work_for_any_employer_until": permit.valid_until if permit.is_valid else None,
        }


class PartnerReferralCreateSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=_("The case reference, e.g. NRM-2026-0042."))
    partner = serializers.IntegerField(
        help_text=_("The id of a municipal social service or of the State Employment Agency.")
    )
    needs_note = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text=_(
            "'consent' (with the three consent fields) or 'other' (a coordinator, with other_basis)."
        ),
    )
    consent_given_on = serializers.DateField(required=False, allow_null=True, default=None)
    consent_how = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text=_("signed_form, written, oral or representative."),
    )
    consent_covers = serializers.CharField(allow_blank=True, required=False, default="")
    other_basis = serializers.CharField(allow_blank=True, required=False, default="")


class PartnerReferralConsentWithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class PartnerReferralWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class PartnerReferralCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True)


REFERRAL_VIEW = PolymorphicProxySerializer(
    component_name="PartnerReferralView",
    serializers=[PartnerReferralSerializer, PartnerReferralNarrowSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(summary="Onward referrals the user may read", responses=REFERRAL_VIEW),
    retrieve=extend_schema(
        summary="One onward referral; partners get the narrow view", responses=REFERRAL_VIEW
    ),
    create=extend_schema(
        summary="Refer a case to a partner",
        request=PartnerReferralCreateSerializer,
        responses=PartnerReferralSerializer,
    ),
)
class ReferralViewSet(_ReadLogged, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    # Ids are numbers: anything else is a 404 at the router, not a 500 in the query.
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.request is not None and _narrow(self.request):
            return PartnerReferralNarrowSerializer
        return PartnerReferralSerializer

    def get_queryset(self):
        return selectors.referral_list_for_user(user=self.request.user).select_related("case__organisation")

    def get_object(self):
        try:
            referral = selectors.referral_get_for_user_or_404(user=self.request.user, pk=self.kwargs["pk"])
        except Http404 as exc:
            raise NotFound from exc
        return referral

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        narrow = selectors.is_partner_viewer(user=request.user, referral=referral)
        case_access_record(
            case=referral.case,
            actor=request.user,
            kind=CaseAccess.Kind.NARROW if narrow else CaseAccess.Kind.API,
        )
        serializer_class = PartnerReferralNarrowSerializer if narrow else PartnerReferralSerializer
        return Response(
            serializer_class(referral, context={**self.get_serializer_context(), "detail": True}).data
        )

    def create(self, request, *args, **kwargs):
        data = PartnerReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case = case_selectors.case_get_for_user_or_404(
                user=request.user, reference=data.validated_data["case"]
            )
        except Http404 as exc:
            raise DRFValidationError({"case": [NO_SUCH_CASE]}) from exc
        partner = Organisation.objects.filter(pk=data.validated_data["partner"]).first()
        if partner is None:
            raise DRFValidationError({"partner": [NO_SUCH_PARTNER]})
        fields = {k: v for k, v in data.validated_data.items() if k not in ("case", "partner")}
        referral = services.referral_create(case=case, partner=partner, actor=request.user, **fields)
        return Response(PartnerReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that the person withdrew the consent the referral rests on (the NGO)",
        request=PartnerReferralConsentWithdrawSerializer,
        responses=PartnerReferralSerializer,
    )
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        referral = self.get_object()
        data = PartnerReferralConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_consent_withdraw(
            referral=referral, actor=request.user, **data.validated_data
        )
        return Response(PartnerReferralSerializer(referral).data)

    @extend_schema(
        summary="Withdraw a referral (the NGO)",
        request=PartnerReferralWithdrawSerializer,
        responses=PartnerReferralSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        referral = self.get_object()
        data = PartnerReferralWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_withdraw(
            referral=referral,
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(PartnerReferralSerializer(referral).data)

    @extend_schema(
        summary="Close the partner's part with an outcome",
        request=PartnerReferralCompleteSerializer,
        responses=PartnerReferralNarrowSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        referral = self.get_object()
        data = PartnerReferralCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_complete(
            referral=referral,
            actor=request.user,
            outcome=data.validated_data["outcome"],
        )
        return Response(PartnerReferralNarrowSerializer(referral, context=self.get_serializer_context()).data)


# --- the partners' records --------------------------------------------------------------------


class PartnerRecordSerializer(serializers.ModelSerializer):
    """Records of a referral; NGO staff names are left out of a partner's response."""

    referral = serializers.IntegerField(source="referral_id")
    recorded_by = serializers.CharField(source="recorded_by.display_name", read_only=True, required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("narrow"):
            data.pop("recorded_by", None)
        return data


class ReintegrationNeedSerializer(PartnerRecordSerializer):
    class Meta:
        model = AssessedNeed
        fields = [
            "id",
            "referral",
            "category",
            "description",
            "amount_eur",
            "period_from",
            "period_to",
            "months",
            "assessed_on",
            "recorded_by",
            *VOID_FIELDS,
        ]
        read_only_fields = ["id", "assessed_on", "recorded_by"]


class ReintegrationAssistanceSerializer(PartnerRecordSerializer):
    class Meta:
        model = Assistance
        fields = [
            "id",
            "referral",
            "kind",
            "description",
            "amount_eur",
            "granted_from",
            "granted_to",
            "recorded_by",
            *VOID_FIELDS,
        ]
        read_only_fields = ["id", "recorded_by"]


class EmploymentMeasureSerializer(PartnerRecordSerializer):
    class Meta:
        model = EmploymentMeasure
        fields = [
            "id",
            "referral",
            "kind",
            "started_on",
            "ended_on",
            "course",
            "provider",
            "employer",
            "outcome",
            "recorded_by",
            *VOID_FIELDS,
        ]
        read_only_fields = ["id", "recorded_by"]


class PartnerConsultationSerializer(PartnerRecordSerializer):
    class Meta:
        model = PartnerConsultation
        fields = [
            "id",
            "referral",
            "held_on",
            "participants",
            "topic",
            "recommendations",
            "recorded_by",
            *VOID_FIELDS,
        ]
        read_only_fields = ["id", "recorded_by"]


REFERRAL_FILTER = OpenApiParameter("referral", int, description="Only the records of this referral.")


class _RecordViewSet(
    _ReadLogged,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"
    model = None
    service = None

    @staticmethod
    def case_of(row) -> int:
        return row.referral.case_id

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        case_access_record_many(
            case_ids=[self.case_of(record)],
            actor=request.user,
            kind=CaseAccess.Kind.NARROW if _narrow(request) else CaseAccess.Kind.API,
        )
        return Response(self.get_serializer(record).data)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "narrow": self.request is not None and _narrow(self.request),
        }

    def get_queryset(self):
        referral = self.request.query_params.get("referral")
        referral_id = int(referral) if referral and referral.isdigit() else None
        qs = selectors.records_for_user(user=self.request.user, model=self.model, referral_id=referral_id)
        if referral and referral_id is None:
            return qs.none()
        return qs.select_related("recorded_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            referral = selectors.referral_get_for_user_or_404(
                user=self.request.user, pk=data.pop("referral_id")
            )
        except Http404 as exc:
            raise DRFValidationError({"referral": [NO_SUCH_REFERRAL]}) from exc
        serializer.instance = type(self).service(referral=referral, actor=self.request.user, **data)


def _record_schema(noun: str):
    return extend_schema_view(
        list=extend_schema(summary=f"{noun} the user may read", parameters=[REFERRAL_FILTER]),
        retrieve=extend_schema(summary=f"One of the {noun.lower()}"),
        create=extend_schema(summary=f"Record {noun.lower()}"),
    )


@_record_schema("Needs assessment items")
class NeedViewSet(_RecordViewSet):
    model = AssessedNeed
    serializer_class = ReintegrationNeedSerializer
    service = staticmethod(services.need_record)


@_record_schema("Assistance granted")
class AssistanceViewSet(_RecordViewSet):
    model = Assistance
    serializer_class = ReintegrationAssistanceSerializer
    service = staticmethod(services.assistance_record)


@_record_schema("Employment measures")
class MeasureViewSet(_RecordViewSet):
    model = EmploymentMeasure
    serializer_class = EmploymentMeasureSerializer
    service = staticmethod(services.measure_record)


@_record_schema("Consultations with partners")
class ConsultationViewSet(_RecordViewSet):
    model = PartnerConsultation
    serializer_class = PartnerConsultationSerializer
    service = staticmethod(services.consultation_record)
