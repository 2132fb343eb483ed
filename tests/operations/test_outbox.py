"""The outbox: written with the event, sent once, retried with growing pauses, failures shown to
the administrator without personal data."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Role
from operations import services
from operations.models import OutboxEmail
from referrals import services as referral_services
from tests.factories import UserFactory
from tests.referrals.factories import complete_data

pytestmark = pytest.mark.django_db


def _submit(police):
    return referral_services.referral_submit(actor=police, data=complete_data())


def test_the_email_is_written_with_the_referral_and_sent_once(police, coordinator):
    referral = _submit(police)
    row = OutboxEmail.objects.get()
    assert (row.kind, row.status, row.to_address, row.recipient) == (
        "referral",
        "pending",
        coordinator.email,
        coordinator,
    )
    assert mail.outbox == []

    result = services.outbox_deliver()

    assert (result.sent, result.failed) == (1, 0)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert f"/referrals/{referral.pk}/" in mail.outbox[0].body
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_at is not None
    # Delivered once: a second run, and a second write for the same event, send nothing more.
    assert services.outbox_deliver().sent == 0
    referral_services.referral_notify_coordinators(referral_id=referral.pk)
    assert OutboxEmail.objects.count() == 1 and len(mail.outbox) == 1


def test_an_event_rolled_back_leaves_no_email(police, coordinator):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _submit(police)
        assert OutboxEmail.objects.count() == 1
        raise Boom
    assert not OutboxEmail.objects.exists()


def test_a_refusing_mail_server_is_retried_with_growing_pauses_then_sent_once(
    police, coordinator, mail_server_down
):
    _submit(police)
    now = timezone.now()

    first = services.outbox_deliver(now=now)

    assert (first.sent, first.failed) == (0, 1) and mail.outbox == []
    row = OutboxEmail.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMTPServerDisconnected")
    assert row.next_attempt_at == now + datetime.timedelta(minutes=1)
    # Not due yet: not tried.
    assert services.outbox_deliver(now=now + datetime.timedelta(seconds=30)).failed == 0
    services.outbox_deliver(now=now + datetime.timedelta(minutes=1))
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == now + datetime.timedelta(minutes=3)
    assert services.backoff(30) == services.BACKOFF_MAX

    mail_server_down()  # the mail server is back
    assert services.outbox_deliver(now=now + datetime.timedelta(minutes=3)).sent == 1
    assert len(mail.outbox) == 1
    assert services.outbox_deliver(now=now + datetime.timedelta(hours=5)).sent == 0
    assert len(mail.outbox) == 1


def test_one_failure_stops_the_run_and_the_rest_wait_untouched(police, coordinator, mail_server_down):
    for _ in range(3):
        _submit(police)
    result = services.outbox_deliver()
    assert (result.sent, result.failed) == (0, 1)
    assert sorted(OutboxEmail.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    mail_server_down()
    assert services.outbox_deliver(now=timezone.now() + datetime.timedelta(minutes=2)).sent == 3


def test_the_administrator_sees_failures_without_personal_data(client, police, coordinator, mail_server_down):
    admin = UserFactory(
        username="sysadmin", organisation=coordinator.organisation, roles=[Role.SYSTEM_ADMINISTRATOR]
    )
    _submit(police)
    services.outbox_deliver()
    client.force_login(admin)
    page = client.get(reverse("operations:status"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "SMTPServerDisconnected" in text and "New referral" in text
    assert page.context["outbox"]["failing"] == 1 and page.context["outbox"]["pending"] == 1
    row = OutboxEmail.objects.get()
    for private in (coordinator.email, row.subject, "/referrals/", "Aija", "mail.example.invalid"):
        assert private not in text


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.CASEWORKER, Role.NATIONAL_COORDINATOR, Role.FIRST_RESPONDER]
)
def test_the_status_page_is_404_for_every_other_role(client, mandated_ngo, role):
    user = UserFactory(username=f"u-{role}", organisation=mandated_ngo, roles=[role])
    client.force_login(user)
    assert client.get(reverse("operations:status")).status_code == 404
    client.logout()
    assert client.get(reverse("operations:status")).status_code == 302  # to the login page


def test_the_alert_emails_of_the_daily_job_go_through_the_outbox(mandated_ngo, caseworker):
    from rehabilitation import jobs
    from tests.rehabilitation.factories import course_at_day, identified_case

    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    course_at_day(case, 181, actor=caseworker)
    result = jobs.enforce_limits()
    assert result.emails_sent == 1
    row = OutboxEmail.objects.get()
    assert row.kind == "alert" and row.to_address == caseworker.email and case.reference in row.body
    assert services.outbox_deliver().sent == 1 and len(mail.outbox) == 1
