"""Every read of stage 3, already scoped to the user; out of scope is a 404 like missing."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import permissions as case_permissions
from cases import signals as case_signals
from cases.collation import lv_collated
from cases.models import Case, Organisation, User
from cases.queries import any_of
from services import selectors as services_selectors

if TYPE_CHECKING:
    from cases.selectors import TimelineEntry

from . import permissions
from .models import AssessedNeed, Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral
from .permissions import Action

logger = logging.getLogger(__name__)


def _ngo_filter(user: User) -> Q | None:
    """Referrals of the cases the user may see in full (the NGO, the national coordinator)."""
    visible = case_permissions.case_visibility_filter(user)
    if visible is None:
        return None
    if visible == Q():
        return Q()
    return Q(case__in=Case.objects.filter(visible).values("pk"))


def referral_scope_filter(user: User) -> Q | None:
    """Every referral whose records the user may read: the NGO side, or their own narrow view."""
    return any_of(_ngo_filter(user), permissions.partner_referral_filter(user))


def _records_prefetch() -> list[Any]:
    return [
        Prefetch(
            "needs", queryset=AssessedNeed.objects.select_related("recorded_by").order_by("assessed_on", "pk")
        ),
        Prefetch(
            "assistance",
            queryset=Assistance.objects.select_related("recorded_by").order_by("granted_from", "pk"),
        ),
        Prefetch(
            "measures",
            queryset=EmploymentMeasure.objects.select_related("recorded_by").order_by("started_on", "pk"),
        ),
        Prefetch(
            "consultations",
            queryset=PartnerConsultation.objects.select_related("recorded_by").order_by("held_on", "pk"),
        ),
    ]


def _refused(*, user: User, pk: int) -> Http404:
    """A 404 on a referral that exists is a refused access: the security log listens."""
    if PartnerReferral.objects.filter(pk=pk).exists():
        case_signals.access_refused.send(
            sender=PartnerReferral, user=user, target=f"reintegration.PartnerReferral:{pk}"
        )
    return Http404()


# --- the partner's narrow view ----------------------------------------------------------------


def partner_referral_list_for_user(*, user: User) -> QuerySet[PartnerReferral]:
    """The active referrals of open cases to the user's own organisation, newest first."""
    scope = permissions.partner_referral_filter(user)
    if scope is None:
        return PartnerReferral.objects.none()
    return (
        PartnerReferral.objects.filter(scope)
        .select_related("case", "case__person", "partner", "referred_by")
        .order_by("-referred_at", "-pk")
    )


def partner_referral_get_or_404(*, user: User, pk: int) -> PartnerReferral:
    """One referral opened to the user's organisation, with its records; else a 404."""
    scope = permissions.partner_referral_filter(user)
    if scope is None:
        raise _refused(user=user, pk=pk)
    referral = (
        PartnerReferral.objects.filter(scope, pk=pk)
        .select_related("case", "case__person", "case__organisation", "partner", "referred_by")
        .prefetch_related(*_records_prefetch())
        .first()
    )
    if referral is None or not permissions.can(user, Action.NARROW_VIEW, referral=referral):
        raise _refused(user=user, pk=pk)
    return referral


# --- the NGO side -----------------------------------------------------------------------------


def case_referrals(*, case: Case) -> list[PartnerReferral]:
    """Every onward referral of a case with every partner's records, for the NGO-side section."""
    return list(
        case.partner_referrals.select_related(
            "partner", "referred_by", "withdrawn_by", "completed_by", "consent_withdrawn_by"
        )
        .prefetch_related(*_records_prefetch())
        .order_by("-referred_at", "-pk")
    )


def referral_get_for_user_or_404(*, user: User, pk: int) -> PartnerReferral:
    """A referral the user may read from either side (the NGO's case, or their own narrow view)."""
    scope = referral_scope_filter(user)
    if scope is None:
        raise _refused(user=user, pk=pk)
    referral = (
        PartnerReferral.objects.filter(scope, pk=pk)
        .select_related("case", "case__person", "case__organisation", "partner", "referred_by")
        .first()
    )
    if referral is None or not (
        permissions.can(user, Action.VIEW_SECTION, referral=referral)
        or permissions.can(user, Action.NARROW_VIEW, referral=referral)
    ):
        raise _refused(user=user, pk=pk)
    return referral


def referral_list_for_user(*, user: User) -> QuerySet[PartnerReferral]:
    scope = referral_scope_filter(user)
    if scope is None:
        return PartnerReferral.objects.none()
    return (
        PartnerReferral.objects.filter(scope)
        .select_related("case", "case__person", "partner", "referred_by")
        .order_by("-referred_at", "-pk")
    )


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=permissions.partner_kinds(), is_active=True).order_by(
        "kind", lv_collated("name")
    )


def records_for_user[M: Model](*, user: User, model: type[M], referral_id: int | None = None) -> QuerySet[M]:
    """Needs, assistance, measures or consultations of every referral the user may read."""
    scope = referral_scope_filter(user)
    if scope is None:
        return model._default_manager.none()
    referrals = PartnerReferral.objects.filter(scope)
    if referral_id is not None:
        referrals = referrals.filter(pk=referral_id)
    return (
        model._default_manager.filter(referral__in=referrals.values("pk"))
        .select_related("referral")
        .order_by("pk")
    )


def record_get_for_user_or_404[M: Model](*, model: type[M], user: User, pk: int) -> M:
    """One need, assistance, measure or consultation the user may read (from either side), with
    its referral and case; a 404 otherwise, the same as a missing one."""
    record = (
        records_for_user(user=user, model=model)
        .filter(pk=pk)
        .select_related("referral__case__person", "referral__case__organisation", "referral__partner")
        .first()
    )
    if record is None:
        raise Http404
    return record


def is_partner_viewer(*, user: User, referral: PartnerReferral) -> bool:
    """True when the user reads this referral through the narrow view (not the NGO side)."""
    return permissions.can(user, Action.NARROW_VIEW, referral=referral) and not permissions.can(
        user, Action.VIEW_SECTION, referral=referral
    )


# --- the residence permit (issue 4 writes the model in services/) -----------------------------


@dataclass(frozen=True)
class PermitInfo:
    recorded: bool
    valid_until: datetime.date | None = None

    @property
    def is_valid(self) -> bool:
        return self.recorded and (self.valid_until is None or self.valid_until >= timezone.localdate())


def residence_permit_info(*, case: Case) -> PermitInfo:
    """Whether a victim's residence permit is granted, and until when.

    A victim's temporary residence permit gives the right to work for any employer
    (docs/domain.md, "Residence permit"). services/ owns the permit and is read through its
    selector; a failure there is a bug and raises, never "no permit" to an employment officer.
    """
    permit = services_selectors.residence_permit_get(case=case)
    # Applied for and awaiting the decision, or refused: no right to work from it.
    if permit is None or permit.decision != permit.Decision.GRANTED:
        return PermitInfo(recorded=False)
    return PermitInfo(recorded=True, valid_until=permit.valid_until)


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """Onward referrals to partners and the partners' records for the case timeline."""
    from django.utils.translation import gettext as _

    from cases.selectors import history_timeline_entries

    records = list(
        PartnerReferral.history.filter(case_id=case.pk)
        .select_related("history_user", "partner")
        .order_by("history_date")
    )
    partner_of = {rec.id: rec.partner.name for rec in records}

    # simple-history adds the `history` manager at run time; it has no types.
    def of_referrals(model: Any) -> list[Any]:
        return list(
            model.history.filter(referral_id__in=partner_of)
            .select_related("history_user")
            .order_by("history_date")
        )

    def titled(text: str) -> Callable[[Any], str]:
        return lambda rec: text % {"partner": partner_of.get(rec.referral_id, "")}

    entries = history_timeline_entries(
        model=PartnerReferral,
        records=records,
        created_title=lambda rec: _("Referred to %(partner)s") % {"partner": rec.partner.name},
        changed_title=_("Reintegration referral updated"),
        fields={"status", "partner"},
    )
    if not partner_of:
        return entries
    # The partners' records: what was done and when, never their descriptions or topics.
    for model, created, fields in (
        (AssessedNeed, _("%(partner)s: need assessed"), {"category", "amount_eur", "months"}),
        (Assistance, _("%(partner)s: assistance granted"), {"kind", "amount_eur", "granted_to"}),
        (EmploymentMeasure, _("%(partner)s: employment measure recorded"), {"kind", "ended_on"}),
        (PartnerConsultation, _("%(partner)s: consultation held"), {"held_on"}),
    ):
        entries += history_timeline_entries(
            model=model,
            records=of_referrals(model),
            created_title=titled(str(created)),
            changed_title=_("A partner's record corrected"),
            fields=fields,
        )
    return entries


# --- what the onward referrals imply for the case's stage (cases.lifecycle) -------------------


def cases_referred_onward() -> QuerySet[PartnerReferral, Any]:
    """The cases with an active onward referral, or one the partner completed: in reintegration.
    A withdrawn referral counts for nothing (it was a mistake or never took place)."""
    return PartnerReferral.objects.filter(
        status__in=[PartnerReferral.Status.ACTIVE, PartnerReferral.Status.COMPLETED]
    ).values("case_id")


def follow_up_refusal(case: Case) -> str | None:
    """The follow-up concludes the case but for the post-course consultations: no partner may
    still be working on it."""
    if PartnerReferral.objects.filter(case=case, status=PartnerReferral.Status.ACTIVE).exists():
        from django.utils.translation import gettext

        return gettext(
            "An onward referral is still active: withdraw it, or let the partner complete it, before the follow-up starts."
        )
    return None
