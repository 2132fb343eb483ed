"""Every read the accounts pages need, already scoped to the user."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import User, UserRole

from . import permissions
from .models import SecurityEvent


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def security_event_list_for_user(
    *,
    user: User,
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[SecurityEvent]:
    """The security log, newest first; only the national coordinator reads it (404 for others)."""
    if not permissions.can_read_security_log(user):
        raise Http404
    qs = SecurityEvent.objects.select_related("user", "user__organisation")
    if kind:
        qs = qs.filter(kind=kind)
    # Dates are Riga calendar days, both ends included.
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-pk")


def lockout_list_for_user(*, user: User) -> QuerySet[AccessAttempt]:
    """Username-and-address pairs locked out now (the cool-off has not yet passed)."""
    if not permissions.can_release_lockouts(user):
        raise Http404
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    # django-axes ships no types: the annotation names what its manager returns.
    attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")
    return attempts


def lockout_get_for_user_or_404(*, user: User, pk: int) -> AccessAttempt:
    attempt = lockout_list_for_user(user=user).filter(pk=pk).first()
    if attempt is None:
        raise Http404
    return attempt


def user_get_for_reset(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()


def pending_grant_list_for_user(*, user: User) -> list[UserRole]:
    """Role grants awaiting approval that this user may approve (404 when they may approve none)."""
    from cases.models import Role
    from cases.permissions import has_role

    from .services import can_approve

    if not has_role(user, Role.NATIONAL_COORDINATOR, Role.COORDINATOR):
        raise Http404
    grants = UserRole.objects.filter(pending=True).select_related("user__organisation", "requested_by")
    return [g for g in grants.order_by("granted_at", "pk") if can_approve(actor=user, grant=g)]


def pending_grant_get_for_user_or_404(*, user: User, pk: int) -> UserRole:
    for grant in pending_grant_list_for_user(user=user):
        if grant.pk == pk:
            return grant
    raise Http404
