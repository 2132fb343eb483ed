"""Every write of the safety capability: <entity>_<verb>(*, ..., actor)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityEvent
from accounts.services import security_event_record
from cases.models import Case, CaseAccess, CaseAssignment, Organisation, Person, RiskLevel, Role, User
from cases.services import case_access_record, coded_reason, history_stamp
from operations.models import OutboxEmail
from operations.services import Email, outbox_write

from . import permissions, selectors
from .models import (
    ContactDisclosure,
    EmergencyAccess,
    RiskAssessment,
    RiskAssessmentFactor,
    RiskFactor,
    SafetyMeasure,
)
from .permissions import Action

logger = logging.getLogger(__name__)

# Error messages: module constants the tests reuse.
RISK_ASSESSED = _("Risk assessed: %(level)s")
LEVEL_REQUIRED = _("Choose the risk level: low, medium or high.")
REVIEW_AFTER_ASSESSMENT = _("The next review must come after the day of the assessment (%(date)s).")
ASSESSED_IN_FUTURE = _("An assessment cannot be dated in the future.")
PLAN_NEEDS_RISK = _(
    "A safety plan is kept for a case assessed at medium or high risk; record a risk assessment first."
)
DUE_BEFORE_TODAY = _("The date by when cannot be in the past.")
DONE_IN_FUTURE = _("A measure cannot be done on a future date.")
DISCLOSE_NOT_PARTNER = _(
    "Contact details can be given only to a municipal social service or the State Employment Agency."
)
DISCLOSE_NEEDS_REASON = _("Say why this partner needs the contact details.")
DISCLOSE_ALREADY = _("%(name)s already has the contact details.")
EMERGENCY_NEEDS_REASON = _("Describe the emergency: the reason is kept in the read log and the security log.")
INSTRUCTIONS_TOO_LONG = _("Keep the instructions under %(max)s characters.")
INSTRUCTIONS_MAX = 1000


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation", "person").get(pk=case.pk)


# --- risk assessment --------------------------------------------------------------------------


@transaction.atomic
def risk_assessment_record(
    *,
    case: Case,
    actor: User,
    level: str,
    next_review_on: datetime.date,
    factors: dict[str, tuple[bool, str]],
    assessed_on: datetime.date | None = None,
    notes: str = "",
) -> RiskAssessment:
    """Record an assessment (at intake or a review) and keep the case's risk level in step.

    factors: {factor: (present, notes)} for every factor of RiskFactor (missing ones: absent).
    The case row is locked so that two assessments saved at once leave the level of the later.
    """
    case = _locked_case(case)
    permissions.require(actor, Action.ASSESS, case)
    today = timezone.localdate()
    assessed_on = assessed_on or today
    if level not in RiskLevel.values:
        raise ValidationError({"level": LEVEL_REQUIRED})
    if assessed_on > today:
        raise ValidationError({"assessed_on": ASSESSED_IN_FUTURE})
    if next_review_on is None or next_review_on <= assessed_on:
        raise ValidationError({"next_review_on": REVIEW_AFTER_ASSESSMENT % {"date": assessed_on.isoformat()}})
    assessment = RiskAssessment(
        case=case,
        assessed_on=assessed_on,
        level=level,
        next_review_on=next_review_on,
        notes=notes.strip(),
        assessed_by=actor,
    )
    history_stamp(assessment, actor=actor)
    assessment.save()
    for factor in RiskFactor.values:
        present, factor_notes = factors.get(factor, (False, ""))
        row = RiskAssessmentFactor(
            assessment=assessment, factor=factor, present=bool(present), notes=(factor_notes or "").strip()
        )
        history_stamp(row, actor=actor)
        row.save()
    latest = selectors.risk_assessment_latest(case=case)
    if latest is not None and case.risk_level != latest.level:
        case.risk_level = latest.level
        history_stamp(
            case,
            actor=actor,
            reason=coded_reason(RISK_ASSESSED, level=RiskLevel(latest.level).label),
        )
        case.save(update_fields=["risk_level", "updated_at"])
    return assessment


# --- the safety plan --------------------------------------------------------------------------


def _check_measure_dates(*, due_on: datetime.date | None, done_on: datetime.date | None) -> None:
    today = timezone.localdate()
    if done_on is not None and done_on > today:
        raise ValidationError({"done_on": DONE_IN_FUTURE})


@transaction.atomic
def safety_measure_add(
    *,
    case: Case,
    actor: User,
    kind: str,
    description: str,
    responsible: str,
    due_on: datetime.date | None = None,
) -> SafetyMeasure:
    case = _locked_case(case)
    permissions.require(actor, Action.PLAN, case)
    if case.risk_level not in (RiskLevel.MEDIUM, RiskLevel.HIGH):
        raise ValidationError(PLAN_NEEDS_RISK)
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": DUE_BEFORE_TODAY})
    measure = SafetyMeasure(
        case=case, kind=kind, description=description.strip(), responsible=responsible.strip(), due_on=due_on
    )
    measure.full_clean()
    history_stamp(measure, actor=actor)
    measure.save()
    return measure


@transaction.atomic
def safety_measure_update(
    *,
    measure: SafetyMeasure,
    actor: User,
    kind: str,
    description: str,
    responsible: str,
    due_on: datetime.date | None = None,
    done_on: datetime.date | None = None,
    reason: str = "",
) -> SafetyMeasure:
    case = _locked_case(measure.case)
    permissions.require(actor, Action.PLAN, case)
    measure = SafetyMeasure.objects.select_for_update().get(pk=measure.pk, case=case)
    _check_measure_dates(due_on=due_on, done_on=done_on)
    measure.kind = kind
    measure.description = description.strip()
    measure.responsible = responsible.strip()
    measure.due_on = due_on
    measure.done_on = done_on
    measure.full_clean()
    history_stamp(measure, actor=actor, reason=reason.strip())
    measure.save()
    return measure


# --- safe contact -----------------------------------------------------------------------------


@transaction.atomic
def safe_contact_instructions_set(*, case: Case, actor: User, instructions: str) -> Person:
    case = _locked_case(case)
    permissions.require(actor, Action.SET_INSTRUCTIONS, case)
    instructions = instructions.strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        raise ValidationError({"instructions": INSTRUCTIONS_TOO_LONG % {"max": INSTRUCTIONS_MAX}})
    person = Person.objects.select_for_update().get(pk=case.person_id)
    person.safe_contact_instructions = instructions
    history_stamp(person, actor=actor, reason=_("Safe-contact instructions changed"))
    person.save(update_fields=["safe_contact_instructions", "updated_at"])
    return person


@transaction.atomic
def contact_disclose(
    *, case: Case, actor: User, organisation: Organisation, reason: str
) -> ContactDisclosure:
    """Give a partner the contact details of a high-risk case; the reason is kept with the grant."""
    case = _locked_case(case)
    permissions.require(actor, Action.DISCLOSE_CONTACT, case)
    if not reason.strip():
        raise ValidationError({"reason": DISCLOSE_NEEDS_REASON})
    if not selectors.partner_organisations().filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": DISCLOSE_NOT_PARTNER})
    if ContactDisclosure.objects.filter(
        case=case, organisation=organisation, revoked_at__isnull=True
    ).exists():
        raise ValidationError({"organisation": DISCLOSE_ALREADY % {"name": organisation.name}})
    grant = ContactDisclosure(case=case, organisation=organisation, reason=reason.strip(), granted_by=actor)
    history_stamp(grant, actor=actor, reason=reason.strip())
    grant.save()
    return grant


@transaction.atomic
def contact_disclosure_revoke(*, disclosure: ContactDisclosure, actor: User) -> ContactDisclosure:
    case = _locked_case(disclosure.case)
    permissions.require(actor, Action.DISCLOSE_CONTACT, case)
    disclosure = ContactDisclosure.objects.select_for_update().get(pk=disclosure.pk, case=case)
    if disclosure.revoked_at is None:
        disclosure.revoked_at = timezone.now()
        disclosure.revoked_by = actor
        history_stamp(disclosure, actor=actor)
        disclosure.save(update_fields=["revoked_at", "revoked_by"])
    return disclosure


# --- emergency access -------------------------------------------------------------------------


def emergency_access_hours() -> int:
    return int(getattr(settings, "SAFETY_EMERGENCY_ACCESS_HOURS", 4))


@transaction.atomic
def emergency_access_open(
    *, case: Case, actor: User, reason: str, request: HttpRequest | None = None
) -> EmergencyAccess:
    """A coordinator not named on a high-risk case opens it for a few hours, stating why.

    Kept in the read log (kind "emergency") and the security log; the assigned caseworkers and
    the national coordinator are told by e-mail (a link, no personal data) once committed.
    """
    case = _locked_case(case)
    permissions.require(actor, Action.EMERGENCY_ACCESS, case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": EMERGENCY_NEEDS_REASON})
    now = timezone.now()
    access = EmergencyAccess(
        case=case,
        user=actor,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=emergency_access_hours()),
    )
    history_stamp(access, actor=actor, reason=reason)
    access.save()
    case_access_record(case=case, actor=actor, kind=CaseAccess.Kind.EMERGENCY)
    security_event_record(
        kind=SecurityEvent.Kind.EMERGENCY_ACCESS,
        request=request,
        user=actor,
        target=f"cases.Case:{case.reference}",
    )
    from .tasks import notify_emergency_access

    transaction.on_commit(lambda: notify_emergency_access.delay(access_id=access.pk))
    return access


def emergency_access_notify(*, access_id: int) -> int:
    """E-mail the assigned caseworkers and the national coordinators: a link and no personal data."""
    with transaction.atomic():
        # Claimed under a row lock: a task delivered twice sends the e-mails once.
        access = (
            EmergencyAccess.objects.select_for_update()
            .select_related("case")
            .filter(pk=access_id, notified_at__isnull=True)
            .first()
        )
        if access is None:
            return 0
        access.notified_at = timezone.now()
        history_stamp(access, actor=None)
        access.save(update_fields=["notified_at"])
    caseworkers = CaseAssignment.objects.filter(case_id=access.case_id, ended_at__isnull=True).values_list(
        "user__email", flat=True
    )
    nationals = User.objects.filter(is_active=True, role_grants__role=Role.NATIONAL_COORDINATOR).values_list(
        "email", flat=True
    )
    recipients = sorted({e for e in [*caseworkers, *nationals] if e})
    if not recipients:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse(
        "cases:detail", kwargs={"reference": access.case.reference}
    )
    with override(settings.LANGUAGE_CODE):
        subject = gettext("Emergency access to a high-risk case")
        body = "\n\n".join(
            [
                gettext(
                    "An NGO coordinator who is not named on a high-risk case opened it in an emergency, "
                    "stating a reason. The access ends on its own after %(hours)s hours."
                )
                % {"hours": emergency_access_hours()},
                gettext("The case (log in first):"),
                link,
            ]
        )
    outbox_write(
        Email(
            kind=OutboxEmail.Kind.SECURITY,
            to=email,
            subject=subject,
            body=body,
            dedupe_key=f"emergency-access:{access.pk}:{email}",
        )
        for email in recipients
    )
    logger.info("emergency access %s: notified %s", access.pk, len(recipients))
    return len(recipients)
