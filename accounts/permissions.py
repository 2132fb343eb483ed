"""Who may read the security log and release lockouts; built on cases.permissions' roles."""

from cases.models import Role, User
from cases.permissions import has_role


def can_read_security_log(user: User) -> bool:
    """The national coordinator monitors the system, its security log included."""
    return has_role(user, Role.NATIONAL_COORDINATOR)


def can_release_lockouts(user: User) -> bool:
    """The system administrator manages users, and so unlocks them."""
    return has_role(user, Role.SYSTEM_ADMINISTRATOR)


def uses_two_factor(user: User) -> bool:
    """Everyone logged in, when two-factor authentication is on (for their recovery codes)."""
    from django.conf import settings

    return bool(settings.OTP_REQUIRED and getattr(user, "is_authenticated", False))


def is_logged_in(user: User) -> bool:
    """Everyone logged in changes their own password."""
    return bool(getattr(user, "is_authenticated", False))


def can_approve_roles(user: User) -> bool:
    """The national coordinator (ministry roles) and NGO coordinators (their own staff)."""
    return has_role(user, Role.NATIONAL_COORDINATOR, Role.COORDINATOR)


def can_issue_api_tokens(user: User) -> bool:
    """The system administrator issues and revokes service accounts' tokens (the service-account
    role itself waits for a second person's approval)."""
    return has_role(user, Role.SYSTEM_ADMINISTRATOR)
