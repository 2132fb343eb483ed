"""Malformed input on every form of every page: a fixed set of malformed payloads, POSTed to every
URL each role may open, against the demo. Never a 500, and nothing saved from a refused request."""

import pytest
from django.test import Client

from cases.models import Case, Person
from cases.selectors import case_list_for_user

from .helpers import LEAN_SWEEP_MARKS, sweep_roles
from .urlsweep import fill, routes, who_may_open

# A sweep: no coverage, the roles a few to a parallel group (helpers.SWEEP_MARKS).
pytestmark = LEAN_SWEEP_MARKS
DEMO_PASSWORD = "fuzz-demo-password-2026"

MALFORMED_PAYLOADS = [
    {},
    {
        "reason": "\x00",
        "caseworker": "-1",
        "date": "2026-02-30",
        "hours": "NaN",
        "quantity": "1e309",
        "kind": "nonsense",
        "status": "'; --",
        "started_on": "yesterday",
        "country": "XX",
        "email": "not-an-email",
        "consent": "maybe",
    },
    {
        "reason": "x" * 20000,
        "caseworker": "99999999999999999999",
        "date": "0000-00-00",
        "hours": "-5",
        "given_name": "<b>x</b>" * 500,
        "family_name": "\u202e",
        "date_of_birth": "3000-01-01",
        "estimated_age": "-3",
        "number": "' OR 1=1 --",
    },
]


@pytest.mark.parametrize(
    "username",
    sweep_roles(
        ["coordinator", "caseworker", "police", "municipality", "employment", "national"], "fuzz-forms"
    ),
)
def test_every_form_survives_malformed_posts(settings, module_demo, username):
    settings.OTP_REQUIRED = False
    user = module_demo["users"][username]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    visible = case_list_for_user(user=user).first() or Case.objects.order_by("pk").first()
    people = Person.objects.count()
    problems = []
    for route in routes():
        if route.view_name in ("logout", "admin:logout", "set_language"):
            continue  # they take no input; logging out would end this sweep
        if username not in who_may_open(route):
            # Refused before any input is read; the write sweep (test_url_sweep) posts there.
            continue
        for which, url in fill(
            route, reference_in=visible.reference, reference_out=visible.reference, out_case_pk=visible.pk
        ):
            if which == "out":
                continue
            for payload in MALFORMED_PAYLOADS:
                response = client.post(url, payload)
                if response.status_code >= 500:
                    problems.append(
                        f"{username} POST {url} ({route.view_name}) {sorted(payload)[:3]}... -> {response.status_code}"
                    )
    assert problems == [], "\n".join(problems)
    # Malformed input created nobody.
    assert Person.objects.count() == people
