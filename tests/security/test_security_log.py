"""The security log: refused accesses, downloads, and the national coordinator's page."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.services import client_ip, security_event_record

pytestmark = pytest.mark.django_db


def test_a_404_on_a_case_that_exists_is_logged_without_the_query_string(
    client, caseworker2, case_of_caseworker
):
    client.force_login(caseworker2)
    SecurityEvent.objects.all().delete()
    assert client.get(case_of_caseworker.get_absolute_url() + "?q=Aija").status_code == 404
    assert client.get(f"/api/v1/cases/{case_of_caseworker.reference}/").status_code == 404
    # A reference that does not exist is a plain 404, not a refusal.
    assert client.get("/cases/NRM-1999-9999/").status_code == 404
    rows = list(
        SecurityEvent.objects.order_by("pk").values_list(
            "kind", "user__username", "path", "target", "ip_address"
        )
    )
    assert rows == [
        (
            "access_refused",
            "caseworker2",
            case_of_caseworker.get_absolute_url(),
            f"cases.Case:{case_of_caseworker.reference}",
            "127.0.0.1",
        ),
        (
            "access_refused",
            "caseworker2",
            f"/api/v1/cases/{case_of_caseworker.reference}/",
            f"cases.Case:{case_of_caseworker.reference}",
            "127.0.0.1",
        ),
    ]


def test_a_403_is_logged(client, caseworker, case_of_caseworker):
    client.force_login(caseworker)
    SecurityEvent.objects.all().delete()
    response = client.post(
        reverse("cases:assign", args=[case_of_caseworker.reference]), {"caseworker": caseworker.pk}
    )
    assert response.status_code == 403
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.path) == (
        "access_refused",
        caseworker,
        f"/cases/{case_of_caseworker.reference}/assign/",
    )


def test_download_is_recorded_through_the_service(caseworker):
    request = RequestFactory().get("/cases/NRM-2026-0001/summary.pdf?lang=lv", REMOTE_ADDR="203.0.113.9")
    request.user = caseworker
    event = security_event_record(
        kind=SecurityEvent.Kind.DOWNLOAD, request=request, target="cases.Case:NRM-2026-0001"
    )
    assert (event.user, event.username, event.ip_address, event.path) == (
        caseworker,
        "caseworker",
        "203.0.113.9",
        "/cases/NRM-2026-0001/summary.pdf",
    )
    assert event.history.get().history_user == caseworker


def test_client_address_behind_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # Only the hop the trusted proxy wrote counts; the left-most entry is the client's own claim.
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(factory.get("/", REMOTE_ADDR="not-an-address")) is None


@pytest.mark.parametrize(
    "role",
    [
        "caseworker",
        "caseworker2",
        "coordinator",
        "other_ngo_worker",
        "police",
        "border",
        "municipality",
        "employment",
        "admin",
    ],
)
def test_only_the_national_coordinator_reads_the_log(client, all_role_users, role):
    client.force_login(all_role_users[role])
    assert client.get(reverse("accounts:security_log")).status_code == 404


def _events(n, *, user, kind=SecurityEvent.Kind.LOGIN, at=None):
    for i in range(n):
        SecurityEvent.objects.create(
            kind=kind,
            user=user,
            username=user.username,
            ip_address="127.0.0.1",
            path="/accounts/login/",
            at=at or timezone.now() - datetime.timedelta(minutes=i),
        )


def test_national_coordinator_filters_by_kind_and_date(client, national, caseworker, police):
    SecurityEvent.objects.all().delete()
    today = timezone.localdate()
    now = timezone.now()
    _events(1, user=caseworker, at=now)
    _events(1, user=caseworker, at=now - datetime.timedelta(minutes=1))
    _events(1, user=police, kind=SecurityEvent.Kind.LOGIN_FAILED, at=now - datetime.timedelta(minutes=2))
    old = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=10), datetime.time(12))
    )
    _events(1, user=police, kind=SecurityEvent.Kind.LOCKOUT, at=old)
    client.force_login(national)
    SecurityEvent.objects.filter(user=national).delete()
    page = client.get(reverse("accounts:security_log"))
    assert page.status_code == 200
    assert [e.kind for e in page.context["page"].object_list] == ["login", "login", "login_failed", "lockout"]
    body = page.content.decode()
    assert "Failed login" in body and "Locked out after repeated failures" in body
    failed = client.get(reverse("accounts:security_log"), {"kind": "login_failed"})
    assert [e.kind for e in failed.context["page"].object_list] == ["login_failed"]
    recent = client.get(
        reverse("accounts:security_log"), {"date_from": (today - datetime.timedelta(days=1)).isoformat()}
    )
    assert "lockout" not in [e.kind for e in recent.context["page"].object_list]
    older = client.get(
        reverse("accounts:security_log"), {"date_to": (today - datetime.timedelta(days=5)).isoformat()}
    )
    assert [e.kind for e in older.context["page"].object_list] == ["lockout"]
    bad = client.get(reverse("accounts:security_log"), {"date_from": "yesterday", "kind": "nonsense"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_log_paginates(client, national, caseworker):
    _events(55, user=caseworker)
    client.force_login(national)
    first = client.get(reverse("accounts:security_log"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_log_query_count_does_not_grow_with_rows(
    client, national, caseworker, django_assert_num_queries, rows
):
    client.force_login(national)
    _events(rows, user=caseworker)
    # session, user, roles, count, the user's organisation (page header), the page with users and
    # organisations joined, and the session save (savepoint, update, release).
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:security_log"))
    assert response.status_code == 200
