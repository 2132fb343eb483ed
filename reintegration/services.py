"""Every write of stage 3: <entity>_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import corrections
from cases import services as case_services
from cases.models import Case, Organisation, StageChange, User
from cases.services import history_stamp

from . import permissions, selectors
from .models import (
    AssessedNeed,
    Assistance,
    ConsentGiven,
    EmploymentMeasure,
    LegalBasis,
    PartnerConsultation,
    PartnerReferral,
)
from .permissions import Action

# Error messages: module constants the tests reuse.
NOT_A_PARTNER = _("Refer to a municipal social service or the State Employment Agency; %(name)s is neither.")
ALREADY_REFERRED = _(
    "This case is already referred to %(name)s; withdraw that referral first to refer it again."
)
NEEDS_NOTE_REQUIRED = _("Describe the victim's needs for the partner.")
LEGAL_BASIS_REQUIRED = _(
    "Record the legal basis for sharing: the person's consent, or another basis named by a coordinator."
)
CONSENT_DATE_REQUIRED = _("Give the date the person consented.")
CONSENT_DATE_IN_FUTURE = _("The consent cannot be dated in the future.")
CONSENT_HOW_REQUIRED = _("Say how the consent was given (a signed form, in writing, orally, …).")
CONSENT_COVERS_REQUIRED = _("Say what the person consented to share with this partner, and for what.")
OTHER_BASIS_REQUIRED = _("Name the legal basis for sharing without consent (the law and its article).")
OTHER_BASIS_COORDINATOR_ONLY = _(
    "Only a coordinator of the NGO may share on a basis other than the person's consent; record the "
    "consent, or ask a coordinator."
)
NOT_ON_CONSENT = _("This referral does not rest on the person's consent, so there is no consent to withdraw.")
CONSENT_ALREADY_WITHDRAWN = _("The withdrawal of this consent is already recorded.")
WITHDRAWAL_DATE_REQUIRED = _("Give the date the person withdrew their consent.")
WITHDRAWAL_DATE_ORDER = _("The consent cannot be withdrawn before it was given (%(date)s).")
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


def _legal_basis(
    *,
    case: Case,
    actor: User,
    legal_basis: str,
    consent_given_on: datetime.date | None,
    consent_how: str,
    consent_covers: str,
    other_basis: str,
    errors: dict[str, object],
) -> dict[str, object]:
    """The legal basis for sharing, checked; only the fields of the chosen basis are kept."""
    if legal_basis == LegalBasis.CONSENT:
        consent_covers = (consent_covers or "").strip()
        if consent_given_on is None:
            errors["consent_given_on"] = CONSENT_DATE_REQUIRED
        elif consent_given_on > timezone.localdate():
            errors["consent_given_on"] = CONSENT_DATE_IN_FUTURE
        if consent_how not in ConsentGiven.values:
            errors["consent_how"] = CONSENT_HOW_REQUIRED
        if not consent_covers:
            errors["consent_covers"] = CONSENT_COVERS_REQUIRED
        return {
            "legal_basis": legal_basis,
            "consent_given_on": consent_given_on,
            "consent_how": consent_how,
            "consent_covers": consent_covers,
        }
    if legal_basis == LegalBasis.OTHER:
        other_basis = (other_basis or "").strip()
        if not permissions.can(actor, Action.NAME_OTHER_BASIS, case=case):
            errors["legal_basis"] = OTHER_BASIS_COORDINATOR_ONLY
        elif not other_basis:
            errors["other_basis"] = OTHER_BASIS_REQUIRED
        return {"legal_basis": legal_basis, "other_basis": other_basis}
    errors["legal_basis"] = LEGAL_BASIS_REQUIRED
    return {}


@transaction.atomic
def referral_create(
    *,
    case: Case,
    partner: Organisation,
    needs_note: str,
    actor: User,
    legal_basis: str = "",
    consent_given_on: datetime.date | None = None,
    consent_how: str = "",
    consent_covers: str = "",
    other_basis: str = "",
) -> PartnerReferral:
    """Refer the case onward on a recorded legal basis; this opens the narrow view to the
    partner's users."""
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    permissions.require(actor, Action.REFER, case=case)
    if not permissions.is_partner_organisation(partner):
        raise ValidationError({"partner": NOT_A_PARTNER % {"name": partner.name}})
    errors: dict[str, object] = {}
    needs_note = (needs_note or "").strip()
    if not needs_note:
        errors["needs_note"] = NEEDS_NOTE_REQUIRED
    basis = _legal_basis(
        case=case,
        actor=actor,
        legal_basis=legal_basis,
        consent_given_on=consent_given_on,
        consent_how=consent_how,
        consent_covers=consent_covers,
        other_basis=other_basis,
        errors=errors,
    )
    _raise(errors)
    if PartnerReferral.objects.filter(
        case=case, partner=partner, status=PartnerReferral.Status.ACTIVE
    ).exists():
        raise ValidationError({"partner": ALREADY_REFERRED % {"name": partner.name}})
    referral = PartnerReferral(case=case, partner=partner, needs_note=needs_note, referred_by=actor, **basis)
    history_stamp(referral, actor=actor, reason=_("Referred onward"))
    referral.save()
    # An active onward referral moves the case to reintegration, in the same transaction.
    case_services.case_stage_follow(
        case=case, event=StageChange.Event.ONWARD_REFERRAL, actor=actor, reason=partner.name
    )
    return referral


@transaction.atomic
def referral_consent_withdraw(
    *, referral: PartnerReferral, actor: User, withdrawn_on: datetime.date | None, note: str = ""
) -> PartnerReferral:
    """The person withdrew the consent the referral rests on: recorded, and an active referral
    ends with it, so the partner loses the narrow view at once (as on a withdrawn referral)."""
    referral = _locked_referral(referral)
    if not referral.rests_on_consent:
        raise ValidationError(NOT_ON_CONSENT)
    if referral.consent_withdrawn:
        raise ValidationError(CONSENT_ALREADY_WITHDRAWN)
    permissions.require(actor, Action.WITHDRAW_CONSENT, referral=referral)
    if withdrawn_on is None:
        raise ValidationError({"withdrawn_on": WITHDRAWAL_DATE_REQUIRED})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": NOT_IN_FUTURE})
    given_on = referral.consent_given_on
    if given_on is not None and withdrawn_on < given_on:
        raise ValidationError({"withdrawn_on": WITHDRAWAL_DATE_ORDER % {"date": given_on.isoformat()}})
    now = timezone.now()
    reason = (note or "").strip() or str(_("The person withdrew their consent."))
    fields = ["consent_withdrawn_on", "consent_withdrawn_at", "consent_withdrawn_by"]
    referral.consent_withdrawn_on = withdrawn_on
    referral.consent_withdrawn_at = now
    referral.consent_withdrawn_by = actor
    if referral.is_active:
        referral.status = PartnerReferral.Status.WITHDRAWN
        referral.withdrawn_at = now
        referral.withdrawn_by = actor
        referral.withdraw_reason = reason
        fields += ["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"]
    history_stamp(referral, actor=actor, reason=reason)
    referral.save(update_fields=fields)
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
    # Without any other onward referral the case goes back to where its records put it.
    case_services.case_stage_follow(
        case=referral.case,
        event=StageChange.Event.ONWARD_REFERRAL_WITHDRAWN,
        actor=actor,
        reason=referral.partner.name,
    )
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


def _need_checked(
    *,
    referral: PartnerReferral,
    actor: User,
    excluding: int | None = None,
    category: str,
    amount_eur: Decimal,
    description: str = "",
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    months: int | None = None,
) -> AssessedNeed:
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
        pk=excluding,
        referral=referral,
        category=category,
        amount_eur=amount_eur,
        description=(description or "").strip(),
        period_from=period_from,
        period_to=period_to,
        months=months,
        recorded_by=actor,
    )
    need._state.adding = excluding is None  # a correction checks the row it replaces
    need.full_clean(exclude=["referral", "recorded_by"])
    return need


@transaction.atomic
def need_record(*, referral: PartnerReferral, actor: User, **fields: Any) -> AssessedNeed:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_MUNICIPAL, referral=referral)
    need = _need_checked(referral=referral, actor=actor, **fields)
    history_stamp(need, actor=actor)
    need.save()
    return need


def _assistance_checked(
    *,
    referral: PartnerReferral,
    actor: User,
    excluding: int | None = None,
    kind: str,
    amount_eur: Decimal,
    granted_from: datetime.date,
    granted_to: datetime.date | None = None,
    description: str = "",
) -> Assistance:
    errors: dict[str, Any] = {}
    _check_amount(amount_eur, errors)
    if granted_to is not None and granted_to < granted_from:
        errors["granted_to"] = DATES_ORDER
    _raise(errors)
    item = Assistance(
        pk=excluding,
        referral=referral,
        kind=kind,
        amount_eur=amount_eur,
        granted_from=granted_from,
        granted_to=granted_to,
        description=(description or "").strip(),
        recorded_by=actor,
    )
    item._state.adding = excluding is None  # a correction checks the row it replaces
    item.full_clean(exclude=["referral", "recorded_by"])
    return item


@transaction.atomic
def assistance_record(*, referral: PartnerReferral, actor: User, **fields: Any) -> Assistance:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_MUNICIPAL, referral=referral)
    item = _assistance_checked(referral=referral, actor=actor, **fields)
    history_stamp(item, actor=actor)
    item.save()
    return item


# --- the State Employment Agency --------------------------------------------------------------


def _measure_checked(
    *,
    referral: PartnerReferral,
    actor: User,
    excluding: int | None = None,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    course: str = "",
    provider: str = "",
    employer: str = "",
    outcome: str = "",
) -> EmploymentMeasure:
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
    # any employer (docs/domain.md, "Residence permit"); without a valid one a placement would be unlawful.
    if (
        kind == EmploymentMeasure.Kind.PLACEMENT
        and "employer" not in errors
        and referral.case.person.is_third_country_national
    ):
        permit = selectors.residence_permit_info(case=referral.case)
        if not (permit.recorded and (permit.valid_until is None or permit.valid_until >= started_on)):
            errors["kind"] = PLACEMENT_NO_RIGHT_TO_WORK % {"date": started_on.isoformat()}
    registered = referral.measures.counted().filter(kind=kind)
    if excluding is not None:
        registered = registered.exclude(pk=excluding)
    if kind == EmploymentMeasure.Kind.REGISTRATION and registered.exists():
        errors["kind"] = ALREADY_REGISTERED
    _raise(errors)
    measure = EmploymentMeasure(
        pk=excluding,
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
    measure._state.adding = excluding is None  # a correction checks the row it replaces
    measure.full_clean(exclude=["referral", "recorded_by"])
    return measure


@transaction.atomic
def measure_record(*, referral: PartnerReferral, actor: User, **fields: Any) -> EmploymentMeasure:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.RECORD_EMPLOYMENT, referral=referral)
    measure = _measure_checked(referral=referral, actor=actor, **fields)
    history_stamp(measure, actor=actor)
    measure.save()
    return measure


# --- consultations ----------------------------------------------------------------------------


def _consultation_checked(
    *,
    referral: PartnerReferral,
    actor: User,
    excluding: int | None = None,
    held_on: datetime.date,
    participants: str,
    topic: str,
    recommendations: str = "",
) -> PartnerConsultation:
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
        pk=excluding,
        referral=referral,
        held_on=held_on,
        participants=participants,
        topic=topic,
        recommendations=(recommendations or "").strip(),
        recorded_by=actor,
    )
    consultation._state.adding = excluding is None  # a correction checks the row it replaces
    consultation.full_clean(exclude=["referral", "recorded_by"])
    return consultation


@transaction.atomic
def consultation_record(*, referral: PartnerReferral, actor: User, **fields: Any) -> PartnerConsultation:
    referral = _locked_referral(referral)
    permissions.require(actor, Action.LOG_CONSULTATION, referral=referral)
    consultation = _consultation_checked(referral=referral, actor=actor, **fields)
    history_stamp(consultation, actor=actor)
    consultation.save()
    return consultation


# --- corrections and voids (cases.corrections) --------------------------------------------------

# The fields a correction may change, per kind; whoever may record the kind may correct it.
CORRECTABLE: dict[type[Model], tuple[Callable[..., Model], str, tuple[str, ...]]] = {
    AssessedNeed: (
        _need_checked,
        Action.RECORD_MUNICIPAL,
        ("category", "amount_eur", "description", "period_from", "period_to", "months"),
    ),
    Assistance: (
        _assistance_checked,
        Action.RECORD_MUNICIPAL,
        ("kind", "amount_eur", "granted_from", "granted_to", "description"),
    ),
    EmploymentMeasure: (
        _measure_checked,
        Action.RECORD_EMPLOYMENT,
        ("kind", "started_on", "ended_on", "course", "provider", "employer", "outcome"),
    ),
    PartnerConsultation: (
        _consultation_checked,
        Action.LOG_CONSULTATION,
        ("held_on", "participants", "topic", "recommendations"),
    ),
}


type PartnerRecord = AssessedNeed | Assistance | EmploymentMeasure | PartnerConsultation


def _lock_record[R: PartnerRecord](model: type[R], entry: R) -> tuple[PartnerReferral, R]:
    # The case, then the referral (as every writer of stage 3), then the record.
    referral = _locked_referral(entry.referral)
    return referral, cast(R, model._default_manager.select_for_update().get(pk=entry.pk))


@transaction.atomic
def record_correct[R: PartnerRecord](*, entry: R, actor: User, reason: str, **fields: Any) -> R:
    """Correct a need, assistance, a measure or a consultation: the rules of a new record are
    checked again, under the same locks."""
    model = type(entry)
    checked, action, names = CORRECTABLE[model]
    referral, entry = _lock_record(model, entry)
    permissions.require(actor, action, referral=referral)
    corrections.require_not_voided(entry)
    probe = checked(referral=referral, actor=actor, excluding=entry.pk, **fields)
    values = {name: getattr(probe, name) for name in names}
    return corrections.apply_correction(
        entry=entry, case=referral.case, values=values, actor=actor, reason=reason
    )


@transaction.atomic
def record_void[R: PartnerRecord](*, entry: R, actor: User, reason: str) -> R:
    """Void a record: it stays, marked void, and counts in no total."""
    model = type(entry)
    _checked, action, _names = CORRECTABLE[model]
    referral, entry = _lock_record(model, entry)
    permissions.require(actor, action, referral=referral)
    return corrections.apply_void(entry=entry, case=referral.case, actor=actor, reason=reason)
