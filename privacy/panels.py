"""The privacy section of the case page (cases/sections.py)."""

from cases import sections


def _context(request, case):
    from . import permissions, selectors

    if not permissions.can(request.user, permissions.Action.VIEW, case):
        return None
    return selectors.privacy_section(user=request.user, case=case)


def register() -> None:
    sections.register_case_section(
        key="privacy", order=900, template="privacy/case_section.html", context=_context
    )
