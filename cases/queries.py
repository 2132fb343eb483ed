"""Small query helpers shared by the apps' visibility filters."""

from __future__ import annotations

from django.db.models import Q


def any_of(*branches: Q | None) -> Q | None:
    """OR the branches of a visibility filter: None when no branch applies (the user sees
    nothing), an empty Q when one branch is already everything.

    An empty Q is handled here on purpose: Django drops it from `Q() | Q(x)`, which would narrow
    "everything" to x."""
    present = [branch for branch in branches if branch is not None]
    if not present:
        return None
    if any(branch == Q() for branch in present):
        return Q()
    combined = present[0]
    for branch in present[1:]:
        combined |= branch
    return combined
