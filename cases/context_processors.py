from . import permissions
from .models import Role
from .sections import nav_items_for


def roles(request):
    """The user's roles, for navigation; the decisions themselves stay in permissions.py."""
    user = getattr(request, "user", None)
    held = permissions.user_roles(user) if user is not None else frozenset()
    return {
        "user_roles": held,
        "can_list_cases": permissions.can(user, permissions.Action.LIST_CASES) if held else False,
        "is_system_administrator": Role.SYSTEM_ADMINISTRATOR in held,
        "nav_items": nav_items_for(user) if held else [],
    }
