"""CSRF on every state-changing page: a POST without a token to any route is refused and changes
nothing, for each role, against the demo."""

import pytest
from django.test import Client

from cases.models import Case
from cases.selectors import case_list_for_user

from .helpers import LEAN_SWEEP_MARKS, sweep_roles
from .test_url_sweep import _snapshot
from .urlsweep import SweepError, fill, routes

# A sweep: no coverage, the roles a few to a parallel group (helpers.SWEEP_MARKS).
pytestmark = LEAN_SWEEP_MARKS
DEMO_PASSWORD = "csrf-demo-password-2026"


@pytest.mark.parametrize(
    "username",
    sweep_roles(["coordinator", "caseworker", "police", "municipality", "national", "admin"], "csrf"),
)
def test_every_post_without_a_token_is_refused_and_changes_nothing(settings, module_demo, username):
    settings.OTP_REQUIRED = False
    user = module_demo["users"][username]
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    visible = case_list_for_user(user=user).first() or Case.objects.order_by("pk").first()
    problems, posted = [], 0
    before = _snapshot()
    for route in routes():
        try:
            fillings = fill(
                route, reference_in=visible.reference, reference_out=visible.reference, out_case_pk=visible.pk
            )
        except SweepError as error:
            problems.append(str(error))
            continue
        for which, url in fillings:
            if which == "out":
                continue
            response = client.post(url, {"reason": "csrf sweep", "caseworker": user.pk, "language": "lv"})
            posted += 1
            if response.status_code not in (403, 405):
                problems.append(
                    f"{username} POST {url} ({route.view_name}) without a CSRF token -> {response.status_code}"
                )
    after = _snapshot()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert posted > 100
    assert problems == [], "\n".join(problems)
    assert changed == {}
