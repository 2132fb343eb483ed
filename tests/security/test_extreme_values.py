"""Valid-but-extreme values in every date and number field of every form: never a 500.

The forms are found, not listed: every page of the URL sweep is opened as each role (for the NGO
coordinator on every case of the NGO, so forms that appear only in some stage are reached), and
each Django form in the page's context that has a date or number field is submitted as a browser
would submit it (every other field as rendered), with that one field set to year 1, year 9999,
10^12 and 10^20, then to values hypothesis draws. A clear form error, a 400 or a success is
fine; a server error is a finding. Each submission is rolled back, so all start from the demo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cases.demo import USERS
from cases.models import Case
from cases.selectors import case_list_for_user
from reintegration.selectors import partner_referral_list_for_user

from .helpers import API_PREFIX, SWEEP_MARKS, _FormParser, sweep_roles
from .urlsweep import SweepError, build_url, fill, routes

# A sweep: no coverage, the roles a few to a parallel group (helpers.SWEEP_MARKS).
pytestmark = SWEEP_MARKS
DEMO_PASSWORD = "extreme-demo-password-2026"

# Every role of the demo: each reaches the forms its own pages show. The first responders of the
# other organisations (border guard, clinic) have the police's forms.
ROLES = [username for username, *_ in USERS if username not in ("border", "nurse")]
# Pages that take no input or would end the walk.
NOT_SUBMITTED = {"logout", "admin:logout", "set_language"}
DATE_FIELDS = (forms.DateField, forms.DateTimeField)
NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
EXTREME_DATES = ["0001-01-01", "9999-12-31", "1900-02-28"]
EXTREME_NUMBERS = ["1000000000000", "-1000000000000", "99999999999999999999"]

dates = st.one_of(
    st.sampled_from([datetime.date.min, datetime.date.max]),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
).map(lambda d: d.isoformat())
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(min_value=-(10**13), max_value=10**13, places=2, allow_nan=False).map(str),
)


def _django_forms(response):
    found, seen = [], set()
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            candidates = [value]
            if isinstance(value, forms.BaseFormSet):
                candidates = list(value.forms)
            elif isinstance(getattr(value, "form", None), forms.BaseForm):
                candidates = [value.form]
            for candidate in candidates:
                if isinstance(candidate, forms.BaseForm) and id(candidate) not in seen:
                    seen.add(id(candidate))
                    found.append(candidate)
    return found


@dataclass(frozen=True)
class Target:
    role: str
    page: str
    view_name: str
    method: str
    action: str
    field_name: str
    kind: str  # "date" or "number"
    values: tuple


def _targets(role: str, client: Client, user) -> list[Target]:
    visible = list(case_list_for_user(user=user).select_related("person")) if user is not None else []
    if role == "coordinator":
        # One case of each kind the forms depend on (stage, status, third-country national).
        kinds: dict = {}
        for c in visible:
            kinds.setdefault((c.stage, c.victim_status, c.person.is_third_country_national), c.reference)
        references = list(kinds.values())
    else:
        references = [c.reference for c in visible[:1]]
    fallback = Case.objects.order_by("pk").first()
    references = references or [fallback.reference]
    # A partner's forms hang off the referrals made to their own organisation.
    own_referrals = [r.pk for r in partner_referral_list_for_user(user=user)] if user is not None else []
    found: dict[tuple, Target] = {}
    for route in routes():
        if route.view_name in NOT_SUBMITTED:
            continue
        urls = []
        for reference in references if "reference" in route.kwargs else references[:1]:
            try:
                urls += [
                    url
                    for which, url in fill(
                        route, reference_in=reference, reference_out=reference, out_case_pk=fallback.pk
                    )
                    if which != "out"
                ]
            except SweepError as error:
                pytest.fail(str(error))
        if route.text.startswith("reintegration/<int:pk>/") and route.kwargs == ["pk"]:
            urls += [build_url(route, {"pk": pk}, []) for pk in own_referrals]
        for url in dict.fromkeys(urls):
            if url.startswith(API_PREFIX):
                continue
            response = client.get(url)
            if response.status_code != 200 or not response.context:
                continue
            parser = _FormParser()
            parser.feed(response.content.decode(errors="replace"))
            for django_form in _django_forms(response):
                for name, form_field in django_form.fields.items():
                    kind = (
                        "date"
                        if isinstance(form_field, DATE_FIELDS)
                        else "number"
                        if isinstance(form_field, NUMBER_FIELDS)
                        else None
                    )
                    if kind is None:
                        continue
                    html_name = django_form.add_prefix(name)
                    html_form = next((f for f in parser.forms if html_name in f.names), None)
                    if html_form is None:
                        continue
                    key = (route.view_name, type(django_form).__name__, html_name)
                    if key in found:
                        continue
                    found[key] = Target(
                        role=role,
                        page=url,
                        view_name=route.view_name,
                        method=html_form.method,
                        action=html_form.action or url,
                        field_name=html_name,
                        kind=kind,
                        values=tuple(html_form.values),
                    )
    return list(found.values())


def _submit(client: Client, target: Target, value: str) -> int:
    data = [(k, v) for k, v in target.values if k != target.field_name] + [(target.field_name, value)]
    with transaction.atomic():
        if target.method == "post":
            response = client.post(
                target.action, urlencode(data), content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.get(f"{target.action.split('?')[0]}?{urlencode(data)}")
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("role", sweep_roles(ROLES, "extreme-values"))
def test_every_date_and_number_field_takes_extreme_values(settings, role, module_demo):
    settings.OTP_REQUIRED = False
    state = module_demo
    user = state["users"][role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    targets = _targets(role, client, user)
    assert targets, f"{role}: no form with a date or number field was found; the discovery is broken"

    problems = []
    for target in targets:
        for value in EXTREME_DATES if target.kind == "date" else EXTREME_NUMBERS:
            status = _submit(client, target, value)
            if status >= 500:
                problems.append(
                    f"{role} {target.method.upper()} {target.action} ({target.view_name}) "
                    f"{target.field_name}={value} -> {status}"
                )

    @hsettings(
        max_examples=20,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def drawn(data):
        target = data.draw(st.sampled_from(targets))
        value = data.draw(dates if target.kind == "date" else numbers)
        status = _submit(client, target, value)
        assert status < 500, f"{role} {target.method.upper()} {target.action} {target.field_name}={value}"

    assert problems == [], "\n".join(problems)
    drawn()
