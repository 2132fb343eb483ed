"""CSRF on every state-changing page, and no state change on GET."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.demo import load_demo
from cases.models import Case
from cases.selectors import case_list_for_user

from .test_url_sweep import _snapshot
from .urlsweep import SweepError, fill, routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.OTP_REQUIRED = False
    return load_demo(password="csrf-demo-password-2026")


@pytest.mark.parametrize(
    "username", ["coordinator", "caseworker", "police", "municipality", "national", "admin"]
)
def test_every_post_without_a_token_is_refused_and_changes_nothing(demo, username):
    user = demo["users"][username]
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


def test_get_on_the_case_actions_changes_nothing(client, coordinator, caseworker, case_of_caseworker):
    client.force_login(coordinator)
    ref = case_of_caseworker.reference
    assert client.get(reverse("cases:assign", args=[ref]), {"caseworker": caseworker.pk}).status_code == 405
    assert client.get(reverse("cases:unassign", args=[ref]), {"caseworker": caseworker.pk}).status_code == 405
    page = client.get(reverse("cases:close", args=[ref]), {"reason": "a GET must not close"})
    assert page.status_code == 200
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.is_open
    assert case_of_caseworker.assignments.filter(ended_at__isnull=True, user=caseworker).exists()
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_with_the_token_the_same_post_goes_through(coordinator, case_of_caseworker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    page = client.get(reverse("cases:close", args=[case_of_caseworker.reference]))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("cases:close", args=[case_of_caseworker.reference]),
        {"reason": "done", "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    case_of_caseworker.refresh_from_db()
    assert not case_of_caseworker.is_open
