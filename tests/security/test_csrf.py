"""No state change on GET on the case actions, and a POST with its token goes through
(test_csrf_sweep.py: every POST without one is refused)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


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
