"""Every write of the privacy app: legal holds, erasure requests, subject-access exports."""

from __future__ import annotations

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cases import services as case_services
from cases.models import Case, CaseAccess, User
from cases.services import history_stamp

from . import anonymise, permissions, selectors
from .models import ErasureRequest, LegalHold, RetentionRule, SubjectAccessExport
from .permissions import Action

HOLD_NEEDS_REASON = _("Give the reason for the hold (for example the number of the proceedings).")
LIFT_NEEDS_REASON = _("Give the reason for lifting the hold.")
HOLD_ALREADY_LIFTED = _("This hold was already lifted.")
ALREADY_ANONYMISED = _("This case has already been anonymised.")
ERASURE_ALREADY_OPEN = _("An erasure request for this case is already waiting for a decision.")
ERASURE_NOT_OPEN = _("This erasure request has already been decided.")
ERASURE_FOUR_EYES = _("Another coordinator must decide: you proposed this erasure.")
ERASURE_REFUSAL_NEEDS_REASON = _("Give the reason for refusing the erasure.")
ERASURE_HELD = _("Refused while a legal hold applies: %(holds)s.")
LANGUAGES = ("lv", "en")


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _not_anonymised(case: Case) -> None:
    if hasattr(case, "anonymisation") and case.anonymisation is not None:
        raise ValidationError(ALREADY_ANONYMISED)


# --- legal holds ------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, case: Case, kind: str, reason: str, actor: User) -> LegalHold:
    case = _locked_case(case)
    permissions.require(actor, Action.MANAGE, case)
    _not_anonymised(case)
    if kind not in LegalHold.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of hold.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": HOLD_NEEDS_REASON})
    hold = LegalHold(case=case, kind=kind, reason=reason.strip(), placed_by=actor)
    history_stamp(hold, actor=actor)
    hold.save()
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, reason: str, actor: User) -> LegalHold:
    hold = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
    permissions.require(actor, Action.MANAGE, hold.case)
    if hold.lifted_at is not None:
        raise ValidationError(HOLD_ALREADY_LIFTED)
    if not (reason or "").strip():
        raise ValidationError({"reason": LIFT_NEEDS_REASON})
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), actor, reason.strip()
    history_stamp(hold, actor=actor)
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return hold


# --- erasure ----------------------------------------------------------------------------------


@transaction.atomic
def erasure_propose(*, case: Case, reason: str, received_on: datetime.date, actor: User) -> ErasureRequest:
    case = _locked_case(case)
    permissions.require(actor, Action.MANAGE, case)
    _not_anonymised(case)
    if case.erasure_requests.filter(status=ErasureRequest.Status.PROPOSED).exists():
        raise ValidationError(ERASURE_ALREADY_OPEN)
    request = ErasureRequest(
        case=case,
        reason=(reason or "").strip(),
        received_on=received_on or timezone.localdate(),
        proposed_by=actor,
    )
    history_stamp(request, actor=actor)
    request.save()
    return request


@transaction.atomic
def erasure_decide(
    *, erasure: ErasureRequest, approve: bool, actor: User, refusal_reason: str = ""
) -> ErasureRequest:
    """A second coordinator approves (the case is anonymised at once, unless a legal hold applies:
    then the request is refused and the hold named as the reason) or refuses with a reason."""
    erasure = ErasureRequest.objects.select_for_update().select_related("case").get(pk=erasure.pk)
    case = _locked_case(erasure.case)
    permissions.require(actor, Action.MANAGE, case)
    if erasure.status != ErasureRequest.Status.PROPOSED:
        raise ValidationError(ERASURE_NOT_OPEN)
    if erasure.proposed_by_id == actor.pk:
        raise PermissionDenied(ERASURE_FOUR_EYES)
    erasure.decided_by, erasure.decided_at = actor, timezone.now()
    if not approve:
        if not (refusal_reason or "").strip():
            raise ValidationError({"refusal_reason": ERASURE_REFUSAL_NEEDS_REASON})
        erasure.status, erasure.refusal_reason = ErasureRequest.Status.REFUSED, refusal_reason.strip()
    else:
        holds = list(case.legal_holds.filter(lifted_at__isnull=True))
        if holds:
            erasure.status = ErasureRequest.Status.REFUSED
            erasure.refusal_reason = str(
                ERASURE_HELD % {"holds": "; ".join(f"{h.get_kind_display()} ({h.reason})" for h in holds)}
            )
        else:
            erasure.status = ErasureRequest.Status.DONE
    history_stamp(erasure, actor=actor)
    erasure.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    if erasure.status == ErasureRequest.Status.DONE:
        anonymise.anonymise_cases(case_ids=[case.pk], rule=RetentionRule.ERASURE_REQUEST, actor=actor)
    return erasure


# --- subject access ---------------------------------------------------------------------------


def _record_export(
    *,
    case: Case,
    access: selectors.SubjectAccess,
    actor: User,
    fmt: str,
    language: str,
    request: HttpRequest | None = None,
) -> None:
    for c, _groups in access.cases:
        case_services.case_access_record(case=c, actor=actor, kind=CaseAccess.Kind.SUBJECT_ACCESS)
    export = SubjectAccessExport(case=case, produced_by=actor, format=fmt, language=language)
    history_stamp(export, actor=actor)
    export.save()
    try:
        from accounts.services import security_event_record

        security_event_record(
            kind="download", request=request, user=actor, target=f"cases.Case:{case.reference}"
        )
    except ImportError:  # pragma: no cover - the accounts app is always installed
        pass


def subject_access_pdf(
    *, case: Case, actor: User, language: str, request: HttpRequest | None = None
) -> bytes:
    from monitoring.pdf import render_pdf

    if language not in LANGUAGES:
        raise ValidationError(_("Choose Latvian or English."))
    with translation.override(language):
        access = selectors.subject_access_for(user=actor, case=case)
        html = render_to_string("privacy/subject_access_pdf.html", {"a": access, "case": case})
        content = render_pdf(html)
    with transaction.atomic():
        _record_export(case=case, access=access, actor=actor, fmt="pdf", language=language, request=request)
    return content


def subject_access_json(
    *, case: Case, actor: User, language: str, request: HttpRequest | None = None
) -> bytes:
    if language not in LANGUAGES:
        raise ValidationError(_("Choose Latvian or English."))
    with translation.override(language):
        access = selectors.subject_access_for(user=actor, case=case)
        body = json.dumps(selectors.subject_access_json(access), ensure_ascii=False, indent=2)
    with transaction.atomic():
        _record_export(case=case, access=access, actor=actor, fmt="json", language=language, request=request)
    return body.encode("utf-8")
