"""Who sees the state of the machinery: the system administrator (all of it) and the national
coordinator (the periodic jobs that stopped). Neither sees any case content here."""

from typing import Any

from cases.models import Role
from cases.permissions import has_role


def may_see_status(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and has_role(user, Role.SYSTEM_ADMINISTRATOR))


def may_see_stale_jobs(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and has_role(user, Role.SYSTEM_ADMINISTRATOR, Role.NATIONAL_COORDINATOR)
    )
