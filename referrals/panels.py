"""What this app contributes to the dashboard and the navigation (cases/ does not import it)."""

from . import permissions, selectors, services
from .models import ReferralAccess
from .permissions import Action

RECENT = 5


def nav_visible(user) -> bool:
    return permissions.can(user, Action.LIST)


def mine(request) -> dict | None:
    """For first responders: their organisation's latest referrals."""
    user = request.user
    if not permissions.is_first_responder(user):
        return None
    referrals = list(selectors.referral_list_for_organisation(user=user, limit=RECENT))
    services.referral_access_record_many(
        referral_ids=[r.pk for r in referrals], actor=user, kind=ReferralAccess.Kind.LIST
    )
    return {"referrals": referrals}


def intake(request) -> dict | None:
    """For NGO coordinators: the queue, with those waiting more than 3 working days flagged."""
    counts = selectors.referral_queue_counts(user=request.user)
    if counts is None:
        return None
    return {"counts": counts}


def counts(request) -> dict | None:
    """For the national coordinator: counts and status, no personal details."""
    user = request.user
    if not permissions.is_national_coordinator(user):
        return None
    return {"counts": selectors.referral_counts_for_user(user=user)}
