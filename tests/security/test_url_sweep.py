"""The attack sweep: every URL pattern of the project, for every role and for an anonymous visitor.

The URL list is walked from the root resolver (tests/security/urlsweep.py), so a page that
another app adds is swept without anyone listing it. The data is the demo's (every app adds its
own objects through register_demo_loader), plus one case of another mandated NGO whose person
has a distinctive name: no response to anyone who may not see that case may contain the name,
and its pages answer 404 to them.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Max, Q
from django.test import Client

from cases.demo import USERS
from cases.models import Case, Organisation, Role
from cases.permissions import Action, can
from cases.selectors import case_list_for_user
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_case

from .helpers import API_PREFIX, LEAN_SWEEP_MARKS, sweep_roles
from .urlsweep import REFUSED_BY_STATE, SweepError, fill, routes, who_may_open

# A sweep: no coverage, the roles a few to a parallel group (helpers.SWEEP_MARKS).
pytestmark = LEAN_SWEEP_MARKS
DEMO_PASSWORD = "sweep-demo-password-2026"

DISTINCTIVE_FAMILY_NAME = "Vexhammerova"
# Pages an anonymous visitor may open (everything else: a redirect to a login page, or 401/403/404/405).
# The health check answers the load balancer without a login, and tells only "ok" or "unavailable".
PUBLIC_VIEWS = {
    "login",
    "set_language",
    "admin:login",
    "healthz",
    "accounts:password_reset",
    "accounts:password_reset_sent",
    "accounts:password_reset_confirm",
}
LOGIN_PREFIXES = ("/accounts/login/", "/admin/login/")
# Read logs: a GET may add to these (who saw what) and to nothing else.
LOG_MODELS = {
    "cases.caseaccess",
    "cases.historicalcaseaccess",
    "referrals.referralaccess",
    "referrals.historicalreferralaccess",
    "accounts.securityevent",
    "accounts.historicalsecurityevent",
    "privacy.subjectaccessexport",
    "privacy.historicalsubjectaccessexport",
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
ROLES = [username for username, *_ in USERS] + ["other_ngo_worker", "anonymous"]
# Every role is judged against WHO_MAY_OPEN (tests/security/urlsweep.py), both ways, on reads and
# on writes: a 2xx it does not allow fails, and so does a refusal (403/404) of a page it allows,
# opened on the role's own case (or with no object at all).
JUDGED_ROLES = ROLES


def _one_person_per_role() -> list[str]:
    people: dict[frozenset, str] = {}
    for username, *_rest, roles in USERS:
        people.setdefault(frozenset(roles), username)
    return list(people.values())


# Writes are judged per role: one person of each role of the demo, another NGO's worker and an
# anonymous visitor. The reads above sweep every person, since what a person sees depends on their
# own cases and organisation.
WRITE_ROLES = [*_one_person_per_role(), "other_ngo_worker", "anonymous"]


@pytest.fixture
def world(settings, module_demo):
    settings.OTP_REQUIRED = False
    state = module_demo
    other = OrganisationFactory(name="Sweep: another mandated NGO", kind=Organisation.Kind.MANDATED_NGO)
    users = dict(state["users"])
    users["other_ngo_worker"] = UserFactory(
        username="other_ngo_worker", organisation=other, roles=[Role.CASEWORKER, Role.COORDINATOR]
    )
    out_case = make_case(
        organisation=other, person=PersonFactory(given_name="Ottilie", family_name=DISTINCTIVE_FAMILY_NAME)
    )
    people = [
        f"{c.person.given_name} {c.person.family_name}"
        for c in Case.objects.select_related("person")
        if c.person.given_name and c.person.family_name
    ]
    return {"users": users, "out_case": out_case, "people": people}


def _snapshot() -> dict:
    """Row counts and last changes of every model a GET must leave alone."""
    snap = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in LOG_MODELS:
            continue
        manager = model._default_manager
        entry = [manager.count()]
        if any(f.name == "updated_at" for f in model._meta.fields):
            entry.append(manager.aggregate(m=Max("updated_at"))["m"])
        snap[label] = entry
    return snap


def _empty_list(response) -> bool:
    """An API list with nothing in it: the scoped answer of a role that may see none."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("results") == [] and not data.get("count")


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    kind = response.get("Content-Type", "")
    if kind.startswith(("text/", "application/json")):
        return response.content.decode(errors="replace")
    return ""


@pytest.mark.parametrize("role", sweep_roles(ROLES, "url-sweep-reads"))
def test_every_url_for_every_role(world, role):
    out_case = world["out_case"]
    user = world["users"].get(role)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    may_see_out = user is not None and can(user, Action.VIEW_CASE, out_case)
    visible = case_list_for_user(user=user).first() if user is not None else None
    if visible is None and user is not None:
        # A partner's referred case, a first responder's accepted referral: still no case file.
        visible = (
            Case.objects.filter(
                Q(partner_referrals__partner_id=user.organisation_id)
                | Q(referrals__organisation_id=user.organisation_id)
            )
            .order_by("pk")
            .first()
        )
    reference_in = visible.reference if visible else out_case.reference
    # The system administrator reads no case content at all: no person's name anywhere.
    forbidden_names = [f"Ottilie {DISTINCTIVE_FAMILY_NAME}"] if not may_see_out else []
    if role in ("admin", "anonymous"):
        forbidden_names += world["people"]

    problems, swept = [], 0
    before = _snapshot()
    for route in routes():
        try:
            fillings = fill(
                route, reference_in=reference_in, reference_out=out_case.reference, out_case_pk=out_case.pk
            )
            allowed = role in who_may_open(route)
        except SweepError as error:
            problems.append(str(error))
            continue
        seen = set()
        for which, url in fillings:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            swept += 1
            status = response.status_code
            where = f"{role} GET {url} ({route.view_name}) -> {status}"
            if status >= 500:
                problems.append(f"{where}: server error")
                continue
            if 200 <= status < 300 and not allowed and role in JUDGED_ROLES and not _empty_list(response):
                problems.append(f"{where}: {role} may not open this page (WHO_MAY_OPEN in urlsweep.py)")
            if (
                allowed
                and role in JUDGED_ROLES
                and status in (403, 404)
                and which in ("plain", "in")
                and set(route.kwargs) <= {"reference"}
                and route.view_name not in REFUSED_BY_STATE
                # The admin site refuses per model permission, which WHO_MAY_OPEN does not model.
                and not route.view_name.startswith("admin:")
            ):
                problems.append(f"{where}: WHO_MAY_OPEN lets {role} open this page, but it was refused")
            body = _text(response)
            for name in forbidden_names:
                if name in body:
                    problems.append(f"{where}: the response contains {name!r}")
            if user is None:
                if route.view_name in PUBLIC_VIEWS:
                    continue
                if status in (301, 302):
                    location = response["Location"]
                    if not location.startswith(LOGIN_PREFIXES):
                        # One hop (the admin's logout sends to the admin's index, which asks to log in).
                        hop = client.get(location)
                        if hop.status_code not in (301, 302) or not hop["Location"].startswith(
                            LOGIN_PREFIXES
                        ):
                            problems.append(f"{where}: redirects to {location}, which is not a login page")
                elif status not in (401, 403, 404, 405):
                    problems.append(f"{where}: an anonymous visitor must be sent to log in")
            elif (
                which == "out"
                and "reference" in route.kwargs
                and not may_see_out
                and status not in (404, 405)
            ):
                problems.append(f"{where}: an out-of-scope case must answer 404")
    after = _snapshot()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    if changed:
        problems.append(
            f"{role}: GET requests changed {changed}; a GET must change nothing "
            "(a read log belongs in LOG_MODELS in tests/security/test_url_sweep.py)"
        )
    assert swept > 150
    assert problems == [], "\n".join(problems)


WRITE_METHODS = ("post", "put", "patch", "delete")
# A page outside the API tells only GET and POST from the rest (no product module names PUT, PATCH
# or DELETE: test_no_page_tells_put_patch_or_delete_apart), so PUT stands for all three there.
PAGE_WRITE_METHODS = ("post", "put")
# Writes that end the sweep's own session or only set a cookie.
NOT_WRITTEN = {"logout", "admin:logout", "set_language"}


@pytest.mark.parametrize("role", sweep_roles(WRITE_ROLES, "url-sweep-writes", per_group=2))
def test_every_write_for_every_role(world, role):
    """POST, PUT, PATCH and DELETE (no CSRF token needed here: test_csrf.py covers that) to every
    route: never a 500; a role that may not open a route gets no 2xx from it, and its writes
    there change nothing at all (judged first, on their own, against a snapshot)."""
    out_case = world["out_case"]
    user = world["users"].get(role)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    visible = case_list_for_user(user=user).first() if user is not None else None
    reference_in = visible.reference if visible else out_case.reference
    problems, sent = [], 0
    allowed_writes = []
    before = _snapshot()
    for route in routes():
        if route.view_name in NOT_WRITTEN:
            continue
        try:
            fillings = fill(
                route, reference_in=reference_in, reference_out=out_case.reference, out_case_pk=out_case.pk
            )
            allowed = role in who_may_open(route)
        except SweepError as error:
            problems.append(str(error))
            continue
        for _which, url in dict.fromkeys(fillings):
            for method in WRITE_METHODS if url.startswith(API_PREFIX) else PAGE_WRITE_METHODS:
                if allowed:
                    allowed_writes.append((method, url, route.view_name))
                    continue
                response = getattr(client, method)(url, {} if method == "post" else "")
                sent += 1
                status = response.status_code
                where = f"{role} {method.upper()} {url} ({route.view_name}) -> {status}"
                if status >= 500:
                    problems.append(f"{where}: server error")
                elif 200 <= status < 300:
                    problems.append(f"{where}: {role} may not write here (WHO_MAY_OPEN in urlsweep.py)")
    after = _snapshot()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    if changed:
        problems.append(f"{role}: writes to routes they may not open changed {changed}")
    for method, url, view_name in allowed_writes:
        response = getattr(client, method)(url, {} if method == "post" else "")
        sent += 1
        if response.status_code >= 500:
            problems.append(
                f"{role} {method.upper()} {url} ({view_name}) -> {response.status_code}: server error"
            )
    assert sent > 400
    assert problems == [], "\n".join(problems)


def test_no_page_tells_put_patch_or_delete_apart():
    """What lets the write sweep send PUT alone for PUT, PATCH and DELETE outside the API: no
    module of the project names those methods (the API's viewsets take them by their actions)."""
    import re
    from pathlib import Path

    from tests.project import project_app_configs

    named = re.compile(r"[\"'](PUT|PATCH|DELETE)[\"']")
    found = [
        f"{path}: {match.group(0)}"
        for config in project_app_configs()
        for path in Path(config.path).rglob("*.py")
        if "migrations" not in path.parts
        for match in named.finditer(path.read_text())
    ]
    assert found == [], "a page reads these methods: sweep them all (WRITE_METHODS)"
    assert len(project_app_configs()) > 5
