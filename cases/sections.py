"""Pages composed a floor higher: stage apps contribute sections without cases/ importing them.

A stage app registers, in its AppConfig.ready(), a section of the case page or a panel of the
dashboard: a template and a function that returns its context, or None when the user may not
see it (then the section is absent from the page, not hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.http import HttpRequest
from django.utils.text import capfirst

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Part:
    key: str
    order: int
    template: str
    context: Callable[..., dict | None]


_case_sections: dict[str, Part] = {}
_dashboard_panels: dict[str, Part] = {}


def register_case_section(
    *, key: str, order: int, template: str, context: Callable[[HttpRequest, object], dict | None]
) -> None:
    _case_sections[key] = Part(key, order, template, context)


def register_dashboard_panel(
    *, key: str, order: int, template: str, context: Callable[[HttpRequest], dict | None]
) -> None:
    _dashboard_panels[key] = Part(key, order, template, context)


def render_parts(parts: dict[str, Part], *args) -> list[tuple[str, dict]]:
    rendered = []
    for part in sorted(parts.values(), key=lambda p: p.order):
        ctx = part.context(*args)
        if ctx is not None:
            rendered.append((part.template, ctx))
    return rendered


def case_sections(request: HttpRequest, case) -> list[tuple[str, dict]]:
    return render_parts(_case_sections, request, case)


def dashboard_panels(request: HttpRequest) -> list[tuple[str, dict]]:
    return render_parts(_dashboard_panels, request)


@dataclass(frozen=True)
class NavItem:
    key: str
    order: int
    label: str
    url_name: str
    visible: Callable[..., bool]


_nav_items: dict[str, NavItem] = {}


def register_nav_item(
    *, key: str, order: int, label, url_name: str, visible: Callable[[object], bool]
) -> None:
    """A link in the main navigation, shown to the users for whom visible(user) is true."""
    _nav_items[key] = NavItem(key, order, label, url_name, visible)


def nav_items_for(user) -> list[dict]:
    from django.urls import reverse

    return [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name)}
        for item in sorted(_nav_items.values(), key=lambda i: i.order)
        if item.visible(user)
    ]


# --- extra keys of the case API ---------------------------------------------------------------

_case_api_extras: dict[str, Callable[[], object]] = {}


def register_case_api_extra(*, key: str, field: Callable[[], object]) -> None:
    """A key of GET /api/v1/cases/<reference>/ contributed by a stage app: `field` makes a
    read-only DRF field or serializer (source="*": it receives the case, and the request in its
    context), so that the key is also in the OpenAPI schema."""
    _case_api_extras[key] = field


def case_api_extra_fields() -> dict[str, object]:
    return {key: make() for key, make in sorted(_case_api_extras.items())}


_timeline_sources: dict[str, Callable] = {}


def register_timeline_source(*, key: str, entries: Callable[[object], list]) -> None:
    """A stage app's events on the case timeline: entries(case) -> list of TimelineEntry.

    Shown to whoever may read the whole case file, so a source returns titles and status changes,
    never free-text notes.
    """
    _timeline_sources[key] = entries


def timeline_sources() -> list[Callable]:
    return [_timeline_sources[key] for key in sorted(_timeline_sources)]


_restricted_case_page: list[Callable[[str], str]] = []


def register_restricted_case_page(*, url: Callable[[str], str]) -> None:
    """Where a coordinator kept out of a high-risk case asks for an emergency access:
    url(reference) -> the page's URL (contributed by the safety capability)."""
    _restricted_case_page[:] = [url]


def restricted_case_url(reference: str) -> str | None:
    return _restricted_case_page[0](reference) if _restricted_case_page else None


# --- the audit trail's sources ------------------------------------------------------------------
#
# Every model with history whose rows belong to a case registers here (its app's ready()), with
# the way from its rows to the case. The national coordinator's audit trail reads exactly these;
# a test holds every history-tracked model either registered or named as no case record, so a new
# model cannot drop out of the trail unnoticed (docs/architecture.md, "Section registries").

AUDIT_CASE_PATHS = ("self", "person", "case")


@dataclass(frozen=True)
class AuditSource:
    key: str
    label: StrOrPromise
    model: type[Model]
    # "self": the case itself; "person": the case's person; "case": a foreign key to the case;
    # "<parent>__case": a foreign key to a parent row that has the case (a hearing's proceedings).
    case_path: str


_audit_sources: dict[str, AuditSource] = {}


def register_audit_source(*, model: type[Model], case_path: str, label: StrOrPromise | None = None) -> None:
    if case_path not in AUDIT_CASE_PATHS:
        parent, _sep, rest = case_path.partition("__")
        if rest != "case" or not any(f.name == parent for f in model._meta.get_fields()):
            raise ImproperlyConfigured(f"{model._meta.label}: no way to a case through {case_path!r}")
    key = model._meta.label_lower
    _audit_sources[key] = AuditSource(key, label or capfirst(model._meta.verbose_name), model, case_path)


def audit_sources() -> list[AuditSource]:
    return [_audit_sources[key] for key in sorted(_audit_sources)]
