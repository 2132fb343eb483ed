"""Who may bring a caseload in: a coordinator of a mandated NGO, into their own NGO only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.models import Organisation, Role
from cases.permissions import user_roles

NOT_A_COORDINATOR = _(
    "Only a coordinator of a mandated NGO can import a caseload, into their own NGO; %(name)s is not one."
)


def may_import(user: Any) -> bool:
    org = getattr(user, "organisation", None)
    return bool(
        Role.COORDINATOR in user_roles(user)
        and org is not None
        and org.is_active
        and org.kind == Organisation.Kind.MANDATED_NGO
    )


def import_refusal(user: Any) -> str | None:
    """Why the user may not import, or None when they may."""
    if may_import(user):
        return None
    return str(NOT_A_COORDINATOR % {"name": getattr(user, "display_name", "")})


def may_see_run(user: Any, run: Any) -> bool:
    """An import run is seen by the coordinator who started it, while they may still import."""
    return bool(
        may_import(user) and run.requested_by_id == user.pk and run.organisation_id == user.organisation_id
    )
