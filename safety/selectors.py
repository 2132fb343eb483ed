"""Every read of the safety capability, scoped to the user."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases import permissions as case_permissions
from cases.models import Case, Organisation, Role, User

from .models import ContactDisclosure, EmergencyAccess, RiskAssessment, RiskAssessmentFactor, SafetyMeasure

# The partners of stage 3 and the role that works each (as reintegration.models has them).
PARTNER_ROLE_BY_KIND = {
    Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE: Role.MUNICIPAL_SOCIAL_WORKER,
    Organisation.Kind.EMPLOYMENT_AGENCY: Role.EMPLOYMENT_OFFICER,
}


def emergency_access_active(user: User, case: Case) -> bool:
    """The grant check cases.permissions asks for: an unexpired emergency access."""
    if not getattr(user, "pk", None):
        return False
    return EmergencyAccess.objects.filter(
        case_id=case.pk, user_id=user.pk, expires_at__gt=timezone.now()
    ).exists()


def emergency_access_current(*, user: User, case: Case) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(case_id=case.pk, user_id=user.pk, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def contact_disclosed_to(user: User, case: Case) -> bool:
    """The grant check cases.permissions asks for: the contact was disclosed to the user's
    organisation, and the user works for it as a partner."""
    org_id = getattr(user, "organisation_id", None)
    if org_id is None or not case_permissions.has_role(user, *PARTNER_ROLE_BY_KIND.values()):
        return False
    return ContactDisclosure.objects.filter(
        case_id=case.pk, organisation_id=org_id, revoked_at__isnull=True
    ).exists()


def risk_assessment_list(*, case: Case) -> QuerySet[RiskAssessment]:
    return (
        RiskAssessment.objects.filter(case=case)
        .select_related("assessed_by")
        .prefetch_related(Prefetch("factors", queryset=RiskAssessmentFactor.objects.order_by("pk")))
        .order_by("-assessed_on", "-pk")
    )


def risk_assessment_latest(*, case: Case) -> RiskAssessment | None:
    return risk_assessment_list(case=case).first()


def safety_measure_list(*, case: Case) -> QuerySet[SafetyMeasure]:
    return SafetyMeasure.objects.filter(case=case).order_by("done_on", "due_on", "pk")


def safety_measure_get_or_404(*, case: Case, pk: int) -> SafetyMeasure:
    from django.http import Http404

    measure = SafetyMeasure.objects.filter(case=case, pk=pk).first()
    if measure is None:
        raise Http404
    return measure


def contact_disclosure_list(*, case: Case) -> QuerySet[ContactDisclosure]:
    return (
        ContactDisclosure.objects.filter(case=case, revoked_at__isnull=True)
        .select_related("organisation", "granted_by")
        .order_by("-granted_at")
    )


def partner_organisations() -> QuerySet[Organisation]:
    """The organisations a contact may be disclosed to: the partners of stage 3."""
    return Organisation.objects.filter(kind__in=list(PARTNER_ROLE_BY_KIND), is_active=True).order_by("name")
