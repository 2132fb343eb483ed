"""Every write of stage 1: referral_<verb>(*, ..., actor) -> result."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cases import services as case_services
from cases.models import Case, Organisation, Person, Role, StageChange, User
from cases.permissions import case_visibility_filter
from cases.services import history_stamp
from operations.models import OutboxEmail
from operations.services import Email, outbox_write

from . import permissions
from .models import (
    ANONYMOUS_HAS_IDENTITY,
    EXACT_OR_ESTIMATED_AGE,
    IDENTIFYING_FIELDS,
    Exploitation,
    Indicator,
    Informed,
    Referral,
    ReferralAccess,
    UrgentNeed,
)
from .permissions import Action

logger = logging.getLogger(__name__)

# Error messages: module constants the tests reuse.
NOT_A_FIRST_RESPONDER = _(
    "Only first responders refer: members of the police, the border guard, consular and municipal "
    "social services and NGOs, or specialists with a valid training record. Ask your administrator "
    "to record your training."
)
DRAFT_NOT_EDITABLE = _("This referral was already submitted and can no longer be changed.")
CONSENT_REQUIRED = _(
    "Say whether the person consents to being referred; without consent it is sent as an anonymous notification."
)
MET_ON_REQUIRED = _("Give the date the person was met (an approximate date is fine).")
MET_ON_IN_FUTURE = _("The date the person was met cannot be in the future.")
DATE_OF_BIRTH_IN_FUTURE = _("The date of birth cannot be in the future.")
MET_PLACE_REQUIRED = _("Say where the person was met (a town or an address is enough).")
INDICATORS_REQUIRED = _("Tick at least one indicator observed, or describe what you observed.")
INDICATOR_OTHER_NEEDS_TEXT = _("You ticked “Other”: describe what you observed.")
EXPLOITATION_REQUIRED = _("Tick at least one suspected form of exploitation (“Other” if none fits).")
UNKNOWN_CHOICE = _("“%(value)s” is not one of the choices; pick from the list.")
NOT_WAITING = _("This referral is %(status)s, so no intake decision can be taken on it any more.")
ANONYMOUS_OPENS_NO_CASE = _("An anonymous notification opens no case; it is kept for statistics only.")
CASEWORKER_REQUIRED = _("Choose the caseworker who will take the case.")
CASEWORKER_NOT_AVAILABLE = _("Choose one of your NGO's active caseworkers.")
PERSON_NOT_KNOWN = _(
    "That person is not among the people your NGO knows; choose one of the possible duplicates or create a new person."
)
CHILD_NEVER_ANONYMOUS = _(
    "By the age given the person is a child, and a child is never sent as an anonymous notification: "
    "choose “A child: referred without the child's own consent” and record who was informed."
)
CHILD_NEEDS_AGE = _(
    "A child is referred without their own consent only when under 18: give the date of birth or the "
    "estimated age."
)
CHILD_INFORMED_REQUIRED = _(
    "Record who was informed of the child's referral (a parent, the guardian, the orphan's court, …)."
)
INFORMED_OTHER_NEEDS_TEXT = _("You ticked “Someone else”: say who was informed.")
DECLINE_NEEDS_REASON = _("Give the reason for declining; the referrer sees it and can act on it.")

# What a referrer may type in; the rest of a referral is set by the services.
EDITABLE_FIELDS = (
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
    "consent",
    "child_without_consent",
    "informed",
    "informed_details",
)
_CHOICE_LISTS = {
    "indicators": Indicator,
    "forms_of_exploitation": Exploitation,
    "urgent_needs": UrgentNeed,
    "informed": Informed,
}


def _apply(referral: Referral, data: dict[str, Any]) -> None:
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in _CHOICE_LISTS:
            value = list(dict.fromkeys(value or []))
        elif name == "citizenships":
            value = list(value or [])
        elif name == "child_without_consent":
            value = bool(value)
        elif value is None and name not in ("date_of_birth", "estimated_age", "met_on", "consent"):
            value = ""
        setattr(referral, name, value)
    if referral.child_without_consent:
        # The child did not consent (or was not asked): never the person's own consent.
        referral.consent = False
    if not referral.sex:
        referral.sex = Referral.Sex.UNKNOWN


def _check_always(referral: Referral) -> None:
    """What holds for a draft too: nothing identifying without consent, and well-formed values."""
    errors: dict[str, list[Any]] = {}
    if referral.is_anonymous:
        given = [name for name in IDENTIFYING_FIELDS if getattr(referral, name) not in ("", None)]
        if given:
            errors["consent"] = [ANONYMOUS_HAS_IDENTITY]
    if referral.date_of_birth is not None and referral.estimated_age is not None:
        errors.setdefault("estimated_age", []).append(EXACT_OR_ESTIMATED_AGE)
    today = timezone.localdate()
    if referral.date_of_birth and referral.date_of_birth > today:
        errors.setdefault("date_of_birth", []).append(DATE_OF_BIRTH_IN_FUTURE)
    if referral.met_on and referral.met_on > today:
        errors.setdefault("met_on", []).append(MET_ON_IN_FUTURE)
    for name, choices in _CHOICE_LISTS.items():
        for value in getattr(referral, name) or []:
            if value not in choices.values:
                errors.setdefault(name, []).append(UNKNOWN_CHOICE % {"value": value})
    if errors:
        raise ValidationError(errors)
    referral.full_clean(
        exclude=["organisation", "created_by"], validate_unique=False, validate_constraints=False
    )


def _is_child(referral: Referral) -> bool:
    """Under 18 by the date of birth or the estimate, on the day it is submitted."""
    if referral.estimated_age is not None:
        return referral.estimated_age < 18
    born = referral.date_of_birth
    if born is None:
        return False
    day = timezone.localdate()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day)) < 18


def _check_complete(referral: Referral) -> None:
    """What a submitted referral needs; a draft may lack any of it."""
    errors: dict[str, list[Any]] = {}
    if referral.consent is None:
        errors["consent"] = [CONSENT_REQUIRED]
    elif referral.is_anonymous and _is_child(referral):
        errors["consent"] = [CHILD_NEVER_ANONYMOUS]
    if referral.child_without_consent:
        if not _is_child(referral):
            errors["estimated_age"] = [CHILD_NEEDS_AGE]
        if not referral.informed:
            errors["informed"] = [CHILD_INFORMED_REQUIRED]
        elif Informed.OTHER in referral.informed and not referral.informed_details.strip():
            errors["informed_details"] = [INFORMED_OTHER_NEEDS_TEXT]
    if referral.met_on is None:
        errors["met_on"] = [MET_ON_REQUIRED]
    if not referral.met_place.strip():
        errors["met_place"] = [MET_PLACE_REQUIRED]
    if not referral.indicators and not referral.indicators_notes.strip():
        errors["indicators"] = [INDICATORS_REQUIRED]
    elif Indicator.OTHER in referral.indicators and not referral.indicators_notes.strip():
        errors["indicators_notes"] = [INDICATOR_OTHER_NEEDS_TEXT]
    if not referral.forms_of_exploitation:
        errors["forms_of_exploitation"] = [EXPLOITATION_REQUIRED]
    if errors:
        raise ValidationError(errors)


def _draft_for_edit(referral: Referral | None, actor: User) -> Referral:
    if referral is None:
        if not permissions.can(actor, Action.CREATE) or actor.organisation is None:
            raise PermissionDenied(NOT_A_FIRST_RESPONDER)
        return Referral(organisation=actor.organisation, created_by=actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.DRAFT:
        raise ValidationError(DRAFT_NOT_EDITABLE)
    permissions.require(actor, Action.EDIT_DRAFT, referral)
    return referral


@transaction.atomic
def referral_save_draft(*, actor: User, data: dict[str, Any], referral: Referral | None = None) -> Referral:
    """Keep what was typed so far, without asking for what is still missing."""
    referral = _draft_for_edit(referral, actor)
    _apply(referral, data)
    _check_always(referral)
    history_stamp(referral, actor=actor, reason=_("Draft saved"))
    referral.save()
    return referral


def _check_for_submit(referral: Referral) -> None:
    # Every problem in one round: a missing date is reported beside a contradictory age, not
    # only once the age is fixed.
    errors: dict[str, list[Any]] = {}
    for check in (_check_always, _check_complete):
        try:
            check(referral)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_save_for_check(
    *, actor: User, data: dict[str, Any], referral: Referral | None = None
) -> Referral:
    """Keep the answers as a draft once they would be accepted on submission, so that the
    referrer can check them before sending (and change any of them without losing the rest)."""
    referral = _draft_for_edit(referral, actor)
    _apply(referral, data)
    _check_for_submit(referral)
    history_stamp(referral, actor=actor, reason=_("Draft saved"))
    referral.save()
    return referral


@transaction.atomic
def referral_submit(
    *, actor: User, data: dict[str, Any] | None = None, referral: Referral | None = None
) -> Referral:
    """Submit a referral (or, without consent, an anonymous notification) to the mandated NGO."""
    referral = _draft_for_edit(referral, actor)
    _apply(referral, data or {})
    _check_for_submit(referral)
    referral.status = Referral.Status.SUBMITTED
    referral.submitted_at = timezone.now()
    reason = _("Anonymous notification submitted") if referral.is_anonymous else _("Referral submitted")
    history_stamp(referral, actor=actor, reason=reason)
    referral.save()
    # In the same transaction: the e-mails are kept if the referral is, and sent after the commit.
    referral_notify_coordinators(referral_id=referral.pk)
    return referral


def _decision_target(referral: Referral, actor: User) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not permissions.is_intake_coordinator(actor):
        raise PermissionDenied
    if referral.status != Referral.Status.SUBMITTED:
        raise ValidationError(NOT_WAITING % {"status": referral.get_status_display().lower()})
    if referral.is_anonymous:
        raise ValidationError(ANONYMOUS_OPENS_NO_CASE)
    permissions.require(actor, Action.DECIDE, referral)
    return referral


def _person_fields(referral: Referral) -> dict[str, Any]:
    fields = {
        name: getattr(referral, name)
        for name in (
            "given_name",
            "family_name",
            "other_names",
            "date_of_birth",
            "sex",
            "languages",
            "phone",
            "email",
            "address",
        )
    }
    fields["citizenships"] = [c.code for c in referral.citizenships]
    if referral.estimated_age is not None:
        fields["estimated_age"] = referral.estimated_age
        fields["estimated_age_on"] = timezone.localtime(referral.submitted_at).date()
    return fields


def persons_known_to(actor: User) -> QuerySet[Person]:
    """The people the coordinator's NGO already holds a case for: candidates to attach to."""
    visible = case_visibility_filter(actor)
    if visible is None:
        return Person.objects.none()
    return Person.objects.filter(pk__in=Case.objects.filter(visible).values("person_id"))


@transaction.atomic
def referral_accept(
    *, referral: Referral, actor: User, caseworker: User | None, person_id: int | None = None
) -> Referral:
    """Accept: the person (new, or one the NGO already knows), a case in identification, a caseworker."""
    referral = _decision_target(referral, actor)
    if caseworker is None:
        raise ValidationError({"caseworker": CASEWORKER_REQUIRED})
    if person_id is not None:
        person = persons_known_to(actor).filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"person": PERSON_NOT_KNOWN})
    else:
        person = case_services.person_create(actor=actor, **_person_fields(referral))
    case = case_services.case_open(
        person=person,
        organisation=Organisation.objects.get(pk=actor.organisation_id or 0),
        actor=actor,
        stage=Case.Stage.IDENTIFICATION,
        reason=_("Case opened from a referral"),
        event=StageChange.Event.REFERRAL_ACCEPTED,
    )
    # Raises a ValidationError for a caseworker who cannot take the case; the atomic block then
    # rolls back the person and the case with it.
    case_services.case_assign_caseworker(case=case, caseworker=caseworker, actor=actor)
    referral.status = Referral.Status.ACCEPTED
    referral.case = case
    referral.person = person
    referral.decided_at = timezone.now()
    referral.decided_by = actor
    referral.intake_organisation_id = actor.organisation_id
    history_stamp(referral, actor=actor, reason=_("Referral accepted"))
    referral.save()
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, actor: User, reason: str) -> Referral:
    referral = _decision_target(referral, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DECLINE_NEEDS_REASON})
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason
    referral.decided_at = timezone.now()
    referral.decided_by = actor
    referral.intake_organisation_id = actor.organisation_id
    history_stamp(referral, actor=actor, reason=reason)
    referral.save()
    return referral


# --- notification -----------------------------------------------------------------------------


def intake_coordinators() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_grants__role=Role.COORDINATOR,
            organisation__kind=Organisation.Kind.MANDATED_NGO,
            organisation__is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def referral_notify_coordinators(*, referral_id: int) -> int:
    """One e-mail per coordinator, into the outbox: a link, and no personal data (not even the
    referrer's name). Once per referral: written again, nothing is added."""
    referral = Referral.objects.filter(pk=referral_id, status=Referral.Status.SUBMITTED).first()
    if referral is None:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:detail", kwargs={"pk": referral.pk})
    # In the site's language: the e-mail leaves the request.
    with override(settings.LANGUAGE_CODE):
        if referral.is_anonymous:
            subject = gettext_now("New anonymous notification")
            intro = gettext_now(
                "A first responder recorded an anonymous notification of a possible victim of trafficking."
            )
        else:
            subject = gettext_now("New referral waiting for intake")
            intro = gettext_now(
                "A first responder referred a possible victim of trafficking. Please decide on the intake."
            )
        body = "\n\n".join([intro, gettext_now("Open it here (log in first):"), link])
    sent = outbox_write(
        Email(
            kind=OutboxEmail.Kind.REFERRAL,
            to=coordinator.email,
            subject=subject,
            body=body,
            recipient_id=coordinator.pk,
            dedupe_key=f"referral:{referral.pk}:{coordinator.pk}",
        )
        for coordinator in intake_coordinators()
    )
    logger.info("referral %s: %s coordinators to notify", referral.pk, sent)
    return sent


# --- the referral read log --------------------------------------------------------------------


def referral_access_record_many(*, referral_ids: Iterable[int | None], actor: User, kind: str) -> int:
    """Record that actor read each of these referrals (a page, a list, an API answer): one insert
    for the rows and one for their history, however many. Callers pass only referrals their
    selector already scoped to actor."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    return case_services.read_log_record_many(
        model=ReferralAccess, fk="referral_id", ids=referral_ids, actor=actor, kind=kind
    )
