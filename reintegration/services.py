"""Every write of stage 3: <entity>_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Organisation, User
from cases.services import history_stamp

from . import permissions, selectors
from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral
from .permissions import Action

# Error messages: module constants the tests reuse.
NOT_A_PARTNER = _("Refer to a municipal social service or the State Employment Agency; %(name)s is neither.")
ALREADY_REFERRED = _(
    "This case is already referred to %(name)s; withdraw that referral first to refer it again."
)
NEEDS_NOTE_REQUIRED = _("Describe the victim's needs for the partner.")
WITHDRAW_NEEDS_REASON = _("Give the reason for withdrawing the referral.")
NOT_ACTIVE = _("This referral is no longer active; the NGO can refer the case again.")
OUTCOME_REQUIRED = _("Give the outcome of your part before closing it.")
PERIOD_REQUIRED = _("Give the period either as dates from and to, or as a number of months.")
PERIOD_ORDER = _("The period cannot end before it starts.")
MONTHS_POSITIVE = _("Give at least one month.")
AMOUNT_NOT_NEGATIVE = _("The amount cannot be negative.")
DATES_ORDER = _("The end date cannot be before the start date.")
TRAINING_NEEDS_COURSE = _("Give the course and its provider for occupational training.")
PLACEMENT_NEEDS_EMPLOYER = _("Give the employer for a job placement.")
PLACEMENT_NO_RIGHT_TO_WORK = _(
    "A third-country national may work for any employer only with a victim's residence permit, and "
    "none is valid on %(date)s. Ask the NGO to record the permit first, or record counselling or "
    "training instead."
)
ALREADY_REGISTERED = _("The registration as a job seeker is already recorded for this referral.")
PARTICIPANTS_REQUIRED = _("Name the participants of the consultation.")
TOPIC_REQUIRED = _("Give the topic of the consultation.")
NOT_IN_FUTURE = _("The date cannot be in the future.")


def _locked_referral(referral: PartnerReferral) -> PartnerReferral:
    # Locks are taken case first, then referral: the order case_close and referral_create use.
    Case.objects.select_for_update().filter(pk=referral.case_id).first()
    return (
        PartnerReferral.objects.select_for_update()
        .select_related("case", "partner", "case__person")
        .get(pk=referral.pk)
    )


# --- referrals --------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, case: Case, partner: Organisation, needs_note: str, actor: User) -> PartnerReferral:
    """Refer the case onward; this opens the narrow view to the partner's users."""
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    permissions.require(actor, Action.REFER, case=case)
    if not permissions.is_partner_organisation(partner):
        raise ValidationError({"partner": NOT_A_PARTNER % {"name": partner.name}})
    needs_note = (needs_note or "").strip()
    if not needs_note:
        raise ValidationError({"needs_note": NEEDS_NOTE_REQUIRED})
    if PartnerReferral.objects.filter(
        case=case, partner=partner, status=PartnerReferral.Status.ACTIVE
    ).exists():
        raise ValidationError({"partner": ALREADY_REFERRED % {"name": partner.name}})
    referral = PartnerReferral(case=case, partner=partner, needs_note=needs_note, referred_by=actor)
    history_stamp(referral, actor=actor, reason=_("Referred onward"))
    referral.save()
    return referral


@transaction.atomic
def referral_withdraw(*, referral: PartnerReferral, actor: User, reason: str) -> PartnerReferral:
    """Withdraw a referral: the partner loses the narrow view at once."""
    referral = _locked_referral(referral)
    if not referral.is_active:
        raise ValidationError(NOT_ACTIVE)
    permissions.require(actor, Action.WITHDRAW, referral=referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": WITHDRAW_NEEDS_REASON})
    referral.status = PartnerReferral.Status.WITHDRAWN
    referral.withdrawn_at = timezone.now()
    referral.withdrawn_by = actor
    referral.withdraw_reason = reason
    history_stamp(referral, actor=actor, reason=reason)
    referral.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return referral


@transaction.atomic
def referral_complete(*, referral: PartnerReferral, actor: User, outcome: str) -> PartnerReferral:
    """The partner closes their part with an outcome; their narrow view ends with it."""
    referral = _locked_referral(referral)
    permissions.require(actor, Action.COMPLETE, referral=referral)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": OUTCOME_REQUIRED})
    referral.status = PartnerReferral.Status.COMPLETED
    referral.completed_at = timezone.now()
    referral.completed_by = actor
    referral.outcome = outcome
    history_stamp(referral, actor=actor, reason=outcome)
    referral.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
    return referral


# --- the municipality -------------------------------------------------------------------------


def _check_amount(amount: Decimal | None, errors: dict[str, Any]) -> None:
    if amount is not None and amount < 0:
        errors["amount_eur"] = AMOUNT_NOT_NEGATIVE


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_record(
    *,
    referral: PartnerReferral,
    actor: User,
    category: str,
    amount_eur: Decimal,
    description: str = "",
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    months: int | None = None,
) -> AssessedNeed:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_MUNICIPAL, referral=referral)
    errors: dict[str, Any] = {}
    _check_amount(amount_eur, errors)
    by_dates = period_from is not None or period_to is not None
    if (months is not None and by_dates) or (months is None and (period_from is None or period_to is None)):
        errors["period_from"] = PERIOD_REQUIRED
    elif months is not None and months < 1:
        errors["months"] = MONTHS_POSITIVE
    elif period_from is not None and period_to is not None and period_to < period_from:
        errors["period_to"] = PERIOD_ORDER
    _raise(errors)
    need = AssessedNeed(
        referral=referral,
        category=category,
        amount_eur=amount_eur,
        description=(description or "").strip(),
        period_from=period_from,
        period_to=period_to,
        months=months,
        recorded_by=actor,
    )
    need.full_clean(exclude=["referral", "recorded_by"])
    history_stamp(need, actor=actor)
    need.save()
    return need


@transaction.atomic
def assistance_record(
    *,
    referral: PartnerReferral,
    actor: User,
    kind: str,
    amount_eur: Decimal,
    granted_from: datetime.date,
    granted_to: datetime.date | None = None,
    description: str = "",
) -> Assistance:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_MUNICIPAL, referral=referral)
    errors: dict[str, Any] = {}
    _check_amount(amount_eur, errors)
    if granted_to is not None and granted_to < granted_from:
        errors["granted_to"] = DATES_ORDER
    _raise(errors)
    item = Assistance(
        referral=referral,
        kind=kind,
        amount_eur=amount_eur,
        granted_from=granted_from,
        granted_to=granted_to,
        description=(description or "").strip(),
        recorded_by=actor,
    )
    item.full_clean(exclude=["referral", "recorded_by"])
    history_stamp(item, actor=actor)
    item.save()
    return item


# --- the State Employment Agency --------------------------------------------------------------


@transaction.atomic
def measure_record(
    *,
    referral: PartnerReferral,
    actor: User,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    course: str = "",
    provider: str = "",
    employer: str = "",
    outcome: str = "",
) -> EmploymentMeasure:
    # The referral row lock serialises two officers recording the registration at once.
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_EMPLOYMENT, referral=referral)
    course, provider, employer, outcome = (
        v.strip() for v in (course or "", provider or "", employer or "", outcome or "")
    )
    errors: dict[str, Any] = {}
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = DATES_ORDER
    if kind == EmploymentMeasure.Kind.TRAINING and not (course and provider):
        errors["course"] = TRAINING_NEEDS_COURSE
    if kind == EmploymentMeasure.Kind.PLACEMENT and not employer:
        errors["employer"] = PLACEMENT_NEEDS_EMPLOYER
    # A victim's temporary residence permit gives a third-country national the right to work for
    # any employer [seed]; without a valid one a placement would be unlawful.
    if (
        kind == EmploymentMeasure.Kind.PLACEMENT
        and "employer" not in errors
        and referral.case.person.is_third_country_national
    ):
        permit = selectors.residence_permit_info(case=referral.case)
        if not (permit.recorded and (permit.valid_until is None or permit.valid_until >= started_on)):
            errors["kind"] = PLACEMENT_NO_RIGHT_TO_WORK % {"date": started_on.isoformat()}
    if kind == EmploymentMeasure.Kind.REGISTRATION and referral.measures.filter(kind=kind).exists():
        errors["kind"] = ALREADY_REGISTERED
    _raise(errors)
    measure = EmploymentMeasure(
        referral=referral,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        course=course,
        provider=provider,
        employer=employer,
        outcome=outcome,
        recorded_by=actor,
    )
    measure.full_clean(exclude=["referral", "recorded_by"])
    history_stamp(measure, actor=actor)
    measure.save()
    return measure


# --- consultations ----------------------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *,
    referral: PartnerReferral,
    actor: User,
    held_on: datetime.date,
    participants: str,
    topic: str,
    recommendations: str = "",
) -> PartnerConsultation:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.LOG_CONSULTATION, referral=referral)
    participants, topic = (participants or "").strip(), (topic or "").strip()
    errors: dict[str, Any] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = NOT_IN_FUTURE
    if not participants:
        errors["participants"] = PARTICIPANTS_REQUIRED
    if not topic:
        errors["topic"] = TOPIC_REQUIRED
    _raise(errors)
    consultation = PartnerConsultation(
        referral=referral,
        held_on=held_on,
        participants=participants,
        topic=topic,
        recommendations=(recommendations or "").strip(),
        recorded_by=actor,
    )
    consultation.full_clean(exclude=["referral", "recorded_by"])
    history_stamp(consultation, actor=actor)
    consultation.save()
    return consultation
