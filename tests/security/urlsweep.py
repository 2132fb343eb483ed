"""Every URL pattern of the project, walked from the root resolver, with its path arguments filled.

Nothing here lists the project's pages: a page another app adds tomorrow is swept too. A path
argument whose name the filler does not know makes the sweep fail with a message saying where
to teach it (KWARG_VALUES or OBJECT_MODELS below); nothing is skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.project import project_app_labels

# Path arguments filled with a constant, by name.
KWARG_VALUES = {
    "format": "json",
    "url": "no-such-admin-page/",  # the admin's catch-all
    "app_label": "cases",  # the admin's app index
    "uidb64": "MQ",  # a password link: user 1, with a token that is not valid
    "token": "not-a-valid-token",
}
# Path arguments naming an object, by (view name, argument): the model whose rows fill it. Only
# needed where neither the argument's name (<model>_id), the API view's serializer, nor the
# path segment before it (".../referrals/<pk>/") names the model.
OBJECT_MODELS = {
    ("accounts:lockout_release", "pk"): "axes.AccessAttempt",
    ("accounts:approval_approve", "pk"): "cases.UserRole",
    ("accounts:approval_refuse", "pk"): "cases.UserRole",
    ("monitoring:export_progress", "pk"): "monitoring.SummaryExport",
    ("monitoring:export_download", "pk"): "monitoring.SummaryExport",
    ("caseload:run", "pk"): "caseload.ImportRun",
    ("caseload:run_progress", "pk"): "caseload.ImportRun",
    ("caseload:run_confirm", "pk"): "caseload.ImportRun",
    ("privacy:hold_lift", "pk"): "privacy.LegalHold",
    ("privacy:erasure_decide", "pk"): "privacy.ErasureRequest",
    ("safety:measure_edit", "pk"): "safety.SafetyMeasure",
    ("safety:revoke", "pk"): "safety.ContactDisclosure",
}
# The same, for every route under a path prefix.
OBJECT_MODELS_BY_PREFIX = {
    "rehabilitation/entries/court-support/<int:pk>/": "rehabilitation.CourtSupportEntry",
    "rehabilitation/entries/course-services/<int:pk>/": "rehabilitation.CourseService",
    "rehabilitation/entries/material-assistance/<int:pk>/": "rehabilitation.MaterialAssistance",
    "rehabilitation/entries/post-course-consultations/<int:pk>/": "rehabilitation.PostCourseConsultation",
    "rehabilitation/entries/family-consultations/<int:pk>/": "rehabilitation.FamilyConsultation",
    "rehabilitation/entries/plans/<int:pk>/": "rehabilitation.RehabilitationPlan",
    "services/entries/assistance/<int:pk>/": "services.AssistanceRecord",
    "services/entries/proceedings/<int:pk>/": "services.CriminalProceeding",
    "services/entries/hearings/<int:pk>/": "services.Hearing",
    "reintegration/entries/needs/<int:pk>/": "reintegration.AssessedNeed",
    "reintegration/entries/municipal-assistance/<int:pk>/": "reintegration.Assistance",
    "reintegration/entries/employment-measures/<int:pk>/": "reintegration.EmploymentMeasure",
    "reintegration/entries/partner-consultations/<int:pk>/": "reintegration.PartnerConsultation",
    "reintegration/<int:pk>/": "reintegration.PartnerReferral",
    "documents/<int:pk>/": "documents.Document",
}
# An id no row has: the page must answer 404, never 500.
MISSING_ID = "987654321"
# The apps whose rows a path argument may name: the project's own (derived, so a new app is in
# from its first commit) and the libraries whose objects have pages (the lockout release, the
# admin's users, tokens and devices).
LIBRARY_APPS_WITH_PAGES = ("axes", "auth", "authtoken", "otp_totp", "otp_static")


def _apps_with_pages() -> set[str]:
    return {*project_app_labels(), *LIBRARY_APPS_WITH_PAGES}


class SweepError(AssertionError):
    pass


@dataclass
class Route:
    view_name: str  # "ns:name", or "<unnamed>" plus the pattern
    parts: list  # the pattern objects from the root to the leaf
    callback: object
    kwargs: list[str] = field(default_factory=list)
    positional: int = 0

    @property
    def text(self) -> str:
        return "".join(str(p.pattern) for p in self.parts)


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, parts, namespaces):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, [*parts, p], [*namespaces, p.namespace] if p.namespace else namespaces)
            elif isinstance(p, URLPattern):
                chain = [*parts, p]
                name = (
                    ":".join([*namespaces, p.name])
                    if p.name
                    else f"<unnamed {''.join(str(x.pattern) for x in chain)}>"
                )
                kwargs, positional = [], 0
                for part in chain:
                    pat = part.pattern
                    if isinstance(pat, RoutePattern):
                        kwargs += list(pat.converters)
                    elif isinstance(pat, RegexPattern):
                        kwargs += list(pat.regex.groupindex)
                        positional += pat.regex.groups - len(pat.regex.groupindex)
                found.append(Route(name, chain, p.callback, kwargs, positional))

    walk(get_resolver().url_patterns, [], [])
    return found


def _split_groups(regex: str):
    """Yield ('text', s) and ('group', name_or_None) pieces of a regex, groups at top level."""
    i, depth, start, out, buf = 0, 0, 0, [], ""
    while i < len(regex):
        c = regex[i]
        if c == "\\" and depth == 0:
            buf += regex[i : i + 2]
            i += 2
            continue
        if c == "\\":
            i += 2
            continue
        if c == "(":
            if depth == 0:
                out.append(("text", buf))
                buf = ""
                start = i
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                group = regex[start : i + 1]
                m = re.match(r"\(\?P<(\w+)>", group)
                out.append(("group", m.group(1) if m else None))
        elif depth == 0:
            buf += c
        i += 1
    out.append(("text", buf))
    return out


def _regex_text(text: str) -> str:
    text = text.lstrip("^").rstrip("$")
    text = text.replace("/?", "/")
    return re.sub(r"\\(.)", r"\1", text)


def build_url(route: Route, values: dict, positional: list) -> str:
    url, pos = "/", list(positional)
    for part in route.parts:
        pat = part.pattern
        if isinstance(pat, RoutePattern):
            url += re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), str(pat._route))
        else:
            for kind, item in _split_groups(pat.regex.pattern):
                if kind == "text":
                    url += _regex_text(item)
                else:
                    url += str(values[item]) if item else str(pos.pop(0))
    try:
        resolve(url)
    except Exception as exc:
        raise SweepError(
            f"{route.view_name}: built {url!r} from {route.text!r}, which does not resolve ({exc})"
        ) from exc
    return url


# --- finding the objects a path argument names ------------------------------------------------


def _models_named(name: str):
    name = name.replace("_", "").lower()
    return [m for m in apps.get_models() if m._meta.model_name == name]


def _singular(segment: str) -> str:
    segment = segment.replace("-", "").replace("_", "").lower()
    if segment.endswith("ies"):
        return segment[:-3] + "y"
    if segment.endswith("s") and not segment.endswith("ss"):
        return segment[:-1]
    return segment


def model_for(route: Route, kwarg: str):
    label = OBJECT_MODELS.get((route.view_name, kwarg))
    text = route.text
    for prefix, prefixed_label in OBJECT_MODELS_BY_PREFIX.items():
        if text.startswith(prefix) and f"<int:{kwarg}>" in prefix:
            label = label or prefixed_label
    if label:
        return apps.get_model(label)
    if route.view_name.startswith("admin:"):
        m = re.search(r"^admin/(\w+)/(\w+)/", text)
        if m:
            try:
                return apps.get_model(m.group(1), m.group(2))
            except LookupError:
                pass
    if kwarg.endswith("_id") and kwarg not in ("object_id", "content_type_id"):
        candidates = _models_named(kwarg[:-3])
        if len(candidates) == 1:
            return candidates[0]
    cls = getattr(route.callback, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    if meta is not None and getattr(meta, "model", None) is not None:
        return meta.model
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    # The path segment before the argument: ".../referrals/<int:pk>/" names referrals.Referral.
    at = re.search(rf"<(?:\w+:)?{kwarg}>|\(\?P<{kwarg}>", text)
    before = text[: at.start()] if at else text
    segments = [s for s in re.split(r"[/^$\\.?]+", before) if re.fullmatch(r"[\w-]+", s or "")]
    namespace = route.view_name.split(":")[0] if ":" in route.view_name else ""
    for segment in reversed(segments):
        wanted = _singular(segment)
        exact = _models_named(wanted)
        if exact:
            same_app = [m for m in exact if m._meta.app_label == namespace]
            return (same_app or exact)[0]
        loose = [
            m
            for m in apps.get_models()
            if m._meta.app_label in _apps_with_pages()
            and not m.__name__.startswith("Historical")
            and (m._meta.model_name.startswith(wanted) or m._meta.model_name.endswith(wanted))
        ]
        same_app = [m for m in loose if m._meta.app_label == namespace]
        if len(same_app) == 1:
            return same_app[0]
        if len(loose) == 1:
            return loose[0]
    return None


def object_ids(model) -> tuple[str, str]:
    """The first and the last row's id (both MISSING_ID when the table is empty)."""
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return MISSING_ID, MISSING_ID
    return str(ids[0]), str(ids[-1])


def fill(route: Route, *, reference_in: str, reference_out: str, out_case_pk) -> list[tuple[str, str]]:
    """[("in", url), ("out", url)] for a route: the in-scope and the out-of-scope filling.

    Raises SweepError for an argument nobody taught the filler.
    """
    plain = not route.kwargs and not route.positional
    if plain:
        return [("plain", build_url(route, {}, []))]
    fillings = []
    for which in ("in", "out"):
        values, positional = {}, []
        for kwarg in route.kwargs:
            if kwarg == "reference":
                values[kwarg] = reference_in if which == "in" else reference_out
            elif kwarg in KWARG_VALUES:
                values[kwarg] = KWARG_VALUES[kwarg]
            elif kwarg == "content_type_id":
                values[kwarg] = ContentType.objects.get_by_natural_key("cases", "case").pk
            elif kwarg == "object_id" and route.view_name == "admin:view_on_site":
                values[kwarg] = out_case_pk
            elif kwarg in ("pk", "id", "object_id") or kwarg.endswith("_id"):
                model = model_for(route, kwarg)
                if model is None:
                    raise SweepError(
                        f"{route.view_name} ({route.text}): cannot tell which model '{kwarg}' names; "
                        f"add ('{route.view_name}', '{kwarg}') to OBJECT_MODELS (or its path prefix to OBJECT_MODELS_BY_PREFIX) in tests/security/urlsweep.py"
                    )
                first, last = object_ids(model)
                values[kwarg] = first if which == "in" else last
            else:
                raise SweepError(
                    f"{route.view_name} ({route.text}): no value for the path argument '{kwarg}'; "
                    "add it to KWARG_VALUES in tests/security/urlsweep.py"
                )
        if route.positional:
            if route.view_name.endswith("_simple_history"):
                model = model_for(route, "object_id")
                obj = model._default_manager.order_by("pk").first() if model else None
                history = (
                    obj.history.order_by("history_id").first()
                    if obj is not None and hasattr(obj, "history")
                    else None
                )
                positional = [obj.pk if obj else MISSING_ID, history.history_id if history else MISSING_ID]
            else:
                raise SweepError(
                    f"{route.view_name} ({route.text}): {route.positional} unnamed path argument(s); "
                    "teach fill() in tests/security/urlsweep.py how to fill them"
                )
        fillings.append((which, build_url(route, values, positional)))
    return fillings


# --- who may open what: the sweep's expectations ----------------------------------------------
#
# Each route is judged by the first entry whose path prefix its pattern starts with: the roles
# (demo usernames) that may ever get a 2xx from it. Everyone else must get a 3xx to a login page
# or elsewhere, a 401/403/404 or a 405, for a GET and for every write. A route no entry matches
# fails the sweep: add its prefix here, with the roles the product's rules give it.

PARTNERS = frozenset({"municipality", "employment"})
FIRST_RESPONDERS = frozenset({"police", "border", "nurse"})
NGO = frozenset({"caseworker", "caseworker2", "coordinator", "other_ngo_worker"})
NGO_COORDINATORS = frozenset({"coordinator", "other_ngo_worker"})
CASE_READERS = NGO | {"national"}
LOGGED_IN = PARTNERS | FIRST_RESPONDERS | CASE_READERS | {"admin"}
PUBLIC = LOGGED_IN | {"anonymous"}

WHO_MAY_OPEN: list[tuple[str, frozenset]] = [
    ("healthz", PUBLIC),
    ("accounts/login/", PUBLIC),
    ("accounts/logout/", PUBLIC),
    ("i18n/", PUBLIC),
    ("admin/login/", PUBLIC),
    ("admin/logout/", PUBLIC),
    ("admin/", frozenset({"admin"})),
    ("cases/<str:reference>/summary.pdf", NGO_COORDINATORS | {"national"}),
    ("cases/<str:reference>/close/", NGO_COORDINATORS),
    ("cases/<str:reference>/representatives/", NGO),
    ("cases/<str:reference>/accesses/", NGO_COORDINATORS | {"national"}),
    ("cases/<str:reference>/stage/", NGO_COORDINATORS),
    # Correcting the person's details: whoever works the case (cases/permissions.py).
    ("cases/<str:reference>/person/", NGO),
    ("cases/<str:reference>/reopen/", NGO_COORDINATORS),
    ("cases/<str:reference>/transfer/", NGO_COORDINATORS),
    ("cases/transfers/", NGO_COORDINATORS),
    ("cases/", CASE_READERS),
    ("services/cases/", NGO),
    ("services/entries/", NGO),
    ("rehabilitation/", NGO),
    ("monitoring/cases/", frozenset({"national"})),
    ("monitoring/processing/", frozenset({"national"})),
    ("monitoring/", NGO_COORDINATORS | {"national"}),
    ("referrals/new/", FIRST_RESPONDERS),
    ("referrals/", FIRST_RESPONDERS | NGO_COORDINATORS | {"national"}),
    ("privacy/", NGO_COORDINATORS | {"national"}),
    ("safety/cases/<str:reference>/risk/assess/", NGO),
    ("safety/cases/<str:reference>/plan/", NGO),
    ("safety/cases/<str:reference>/safe-contact/", NGO),
    ("safety/", CASE_READERS),
    ("operations/", frozenset({"admin"})),
    # The caseload import: the coordinators of a mandated NGO, each into their own NGO.
    ("caseload/", NGO_COORDINATORS),
    # Attaching and printing the papers: whoever works the case.
    ("documents/cases/", NGO),
    # A document: through the case file, or by a partner it was shared with (documents/selectors.py).
    ("documents/", CASE_READERS | PARTNERS),
    ("reintegration/cases/", NGO),
    ("reintegration/<int:pk>/", PARTNERS | NGO),
    # A consultation is held by the NGO and the partner together: either corrects or voids it.
    ("reintegration/entries/partner-consultations/", PARTNERS | NGO),
    ("reintegration/", PARTNERS),  # the partners' list
    ("security/password/reset/", PUBLIC),
    ("security/approvals/", NGO_COORDINATORS | {"national"}),
    ("security/password/", LOGGED_IN),
    ("security/log/", frozenset({"national"})),
    ("security/lockouts/", frozenset({"admin"})),
    ("security/two-factor/reset/", frozenset({"admin"})),
    ("security/two-factor/", LOGGED_IN),
    ("api/schema/", LOGGED_IN),
    ("api/v1/^cases/(?P<reference>[A-Za-z0-9-]+)/audit-trail/", frozenset({"national"})),
    ("api/v1/^cases/", CASE_READERS),
    ("api/v1/^transfers/", NGO_COORDINATORS),
    ("api/v1/^referrals/counts/", NGO_COORDINATORS | {"national"}),
    ("api/v1/^referrals/", FIRST_RESPONDERS | NGO_COORDINATORS | {"national"}),
    ("api/v1/^reintegration/", PARTNERS | NGO | {"national"}),
    ("api/v1/^monitoring/", NGO_COORDINATORS | {"national"}),
    ("api/v1/^documents/", CASE_READERS | PARTNERS),
    # Corrections and voids: whoever may write the entry (the NGO, a partner for its own part).
    ("api/v1/^entries/", PARTNERS | NGO),
    ("", LOGGED_IN),  # the dashboard: the empty pattern only (see who_may_open)
]


# Routes whose refusal to a role WHO_MAY_OPEN allows depends on the state of the case, not on the
# role: the sweep does not count their 403/404 as a refused page (a 2xx is still judged).
REFUSED_BY_STATE = {
    "cases:reopen": "only on a closed case",
    "safety:disclose": "only on a high-risk case",
    "safety:emergency_access": "only on a high-risk case whose coordinators do not include the user",
    "case-reflection-period-list": "404 while the case has no reflection period",
    "case-residence-permit-list": "404 while the case has no residence permit",
}


def who_may_open(route: Route) -> frozenset:
    """The roles that may get a 2xx from this route; a SweepError for a route nobody judged."""
    text = route.text
    for prefix, roles in WHO_MAY_OPEN:
        if (prefix and text.startswith(prefix)) or (not prefix and text == ""):
            return roles
    raise SweepError(
        f"teach me: {route.view_name} ({text!r}) is a route the sweep cannot judge. Add its path "
        "prefix to WHO_MAY_OPEN in tests/security/urlsweep.py with the roles that may open it."
    )
