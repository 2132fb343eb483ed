"""The import page: upload, the check's report, confirmation, the progress poll, who may use it,
the private file and its deletion, and the jobs through a real Celery worker."""

from __future__ import annotations

import datetime
import io
import os
import stat
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseload import importer, services
from caseload.models import ImportRun
from cases.models import Case
from rehabilitation.forms import HOURS_NOT_A_NUMBER

from .conftest import broken_caseload, good_caseload, table_counts, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(tmp_path, caseload, name="caseload.xlsx") -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / name, caseload)
    return SimpleUploadedFile(name, path.read_bytes())


def test_the_coordinator_sees_the_page_and_downloads_the_template(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("caseload:index"))
    assert page.status_code == 200
    assert reverse("caseload:template_xlsx") in page.content.decode()
    response = client.get(reverse("caseload:template_xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == list(importer.KINDS)
    assert [c.value for c in workbook["court_support"][1]] == ["case_id", "hours_used", "as_of"]
    assert client.get(reverse("caseload:template_zip")).status_code == 200


@pytest.mark.parametrize("who", ["caseworker", "national", "municipality", "sysadmin"])
def test_anyone_but_a_coordinator_gets_a_404(client, request, who, coordinator):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("caseload:index")).status_code == 404
    assert client.get(reverse("caseload:template_xlsx")).status_code == 404


def test_a_broken_file_is_reported_on_the_page_and_changes_nothing(
    client, tmp_path, media_root, coordinator, caseworker
):
    client.force_login(coordinator)
    response = client.post(reverse("caseload:index"), {"file": upload(tmp_path, broken_caseload())})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("caseload:run", args=[run.pk])
    assert run.status == ImportRun.Status.CHECKING
    stored = media_root / run.file_path
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(stored.parent).st_mode) == 0o700

    before = {t: n for t, n in table_counts().items() if "importrun" not in t}
    services.import_run_check(run_id=run.pk)
    assert {t: n for t, n in table_counts().items() if "importrun" not in t} == before
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID
    assert run.file_path == "" and not stored.exists()  # deleted: the coordinator uploads a fixed file
    page = client.get(reverse("caseload:run", args=[run.pk])).content.decode()
    assert "15 problems found; nothing was imported." in page
    hours = str(HOURS_NOT_A_NUMBER)
    assert f"<td>court_support</td><td>2</td><td>hours_used</td><td>{hours}</td>" in page
    assert "Confirm the import" not in page
    # Nothing to confirm.
    client.post(reverse("caseload:run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID


def test_a_good_file_is_checked_confirmed_and_imported(
    client, tmp_path, media_root, coordinator, caseworker, partner
):
    client.force_login(coordinator)
    client.post(reverse("caseload:index"), {"file": upload(tmp_path, good_caseload())})
    run = ImportRun.objects.get()
    stored = media_root / run.file_path
    services.import_run_check(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED and stored.exists()
    assert not Case.objects.exists()
    page = client.get(reverse("caseload:run", args=[run.pk])).content.decode()
    assert "Confirm the import" in page and "Would create:" in page

    response = client.post(reverse("caseload:run_confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTING
    # While it runs, the page polls for the progress.
    page = client.get(reverse("caseload:run", args=[run.pk])).content.decode()
    assert 'hx-get="{}"'.format(reverse("caseload:run_progress", args=[run.pk])) in page
    services.import_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert not stored.exists() and run.file_path == ""
    assert Case.objects.filter(external_id__in=["C-1", "C-2"]).count() == 2
    assert run.history.filter(history_user=coordinator).exists()
    poll = client.get(reverse("caseload:run_progress", args=[run.pk])).content.decode()
    assert "hx-get" not in poll and "Created:" in poll
    # Running the job again changes nothing.
    assert services.import_run_execute(run_id=run.pk) is None
    assert Case.objects.count() == 2


def test_another_ngos_coordinator_cannot_see_or_confirm_the_run(
    client, tmp_path, media_root, coordinator, caseworker, other_ngo_worker, partner
):
    run = services.import_upload(actor=coordinator, upload=upload(tmp_path, good_caseload()))
    services.import_run_check(run_id=run.pk)
    client.force_login(other_ngo_worker)
    assert client.get(reverse("caseload:index")).status_code == 200  # their own NGO's page
    for name in ("caseload:run", "caseload:run_progress"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("caseload:run_confirm", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED


def test_a_caseworker_is_refused_by_the_service_with_its_message(tmp_path, media_root, caseworker):
    from django.core.exceptions import PermissionDenied

    from caseload.permissions import NOT_A_COORDINATOR

    with pytest.raises(PermissionDenied) as refused:
        services.import_upload(actor=caseworker, upload=upload(tmp_path, good_caseload()))
    assert str(refused.value) == str(NOT_A_COORDINATOR % {"name": caseworker.display_name})
    assert not ImportRun.objects.exists()


def test_a_file_that_is_no_workbook_is_refused_on_the_form(client, media_root, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("caseload:index"), {"file": SimpleUploadedFile("caseload.xlsx", b"not a workbook")}
    )
    assert response.status_code == 400
    assert "The file could not be read" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_progress_poll_does_not_keep_the_session_alive(client, tmp_path, media_root, coordinator):
    from django.contrib.sessions.models import Session

    run = services.import_upload(actor=coordinator, upload=upload(tmp_path, good_caseload()))
    client.force_login(coordinator)
    client.get(reverse("dashboard"))
    key = client.cookies["sessionid"].value
    now = timezone.now()
    Session.objects.filter(session_key=key).update(expire_date=now + datetime.timedelta(minutes=1))
    poll = client.get(reverse("caseload:run_progress", args=[run.pk]))
    assert poll.status_code == 200 and "0 of 0 rows" in poll.content.decode()
    assert Session.objects.get(session_key=key).expire_date == now + datetime.timedelta(minutes=1)


# --- through a real Celery worker ------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_check_and_the_import_run_through_a_real_worker_on_the_real_broker(
    settings, tmp_path, media_root, coordinator, caseworker, partner
):
    from celery.contrib.testing.worker import start_worker

    from trafficking_cms.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.broker_url = settings.CELERY_BROKER_URL

    def wait(run, until):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in until:
                return run
            time.sleep(0.2)
        raise AssertionError(f"still {run.status}")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        run = services.import_upload(actor=coordinator, upload=upload(tmp_path, good_caseload()))
        run = wait(run, {ImportRun.Status.CHECKED, ImportRun.Status.INVALID, ImportRun.Status.FAILED})
        assert run.status == ImportRun.Status.CHECKED, run.report
        assert not Case.objects.exists()
        run = services.import_run_confirm(run=run, actor=coordinator)
        run = wait(run, {ImportRun.Status.DONE, ImportRun.Status.FAILED})
    assert run.status == ImportRun.Status.DONE, run.report
    assert Case.objects.filter(external_id__in=["C-1", "C-2"]).count() == 2
    assert not any((media_root / "imports").iterdir())


def test_a_file_left_unconfirmed_for_a_day_is_deleted(
    client, tmp_path, media_root, coordinator, caseworker, partner
):
    fresh = services.import_upload(actor=coordinator, upload=upload(tmp_path, good_caseload()))
    old = services.import_upload(actor=coordinator, upload=upload(tmp_path, good_caseload()))
    services.import_run_check(run_id=old.pk)
    old.refresh_from_db()
    assert old.status == ImportRun.Status.CHECKED
    stored = media_root / old.file_path
    later = timezone.now() + services.STALE_AFTER + datetime.timedelta(minutes=1)
    ImportRun.objects.filter(pk=fresh.pk).update(created_at=later)  # uploaded "just now", then
    assert services.import_runs_purge_stale(now=later) == 1
    old.refresh_from_db()
    assert old.status == ImportRun.Status.FAILED and old.file_path == "" and not stored.exists()
    assert old.history.latest().history_change_reason == "not confirmed within a day"
    fresh.refresh_from_db()
    assert fresh.status == ImportRun.Status.CHECKING and (media_root / fresh.file_path).exists()
    assert services.import_runs_purge_stale(now=later) == 0
    client.force_login(coordinator)
    page = client.get(reverse("caseload:run", args=[old.pk])).content.decode()
    assert "was not confirmed within a day, so the file was deleted" in page


def test_with_the_broker_unreachable_the_run_is_visibly_failed_never_stranded(
    client, tmp_path, media_root, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from caseload import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.check_import, "apply_async", refuse)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("caseload:index"), {"file": upload(tmp_path, good_caseload())})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.error == "not queued"
    assert run.file_path == "" and not any((media_root / "imports").iterdir())
    page = client.get(response["Location"]).content.decode()
    assert str(services.NOT_QUEUED) in page


# The session, the user, the roles, the two-factor device, the navigation's checks and the list
# (the session was renewed by the warming request: at most once a minute).
QUERIES_OF_THE_INDEX = 5


@pytest.mark.parametrize("n", [1, 8])
def test_the_list_of_imports_runs_the_same_queries_for_1_and_8(
    n, client, tmp_path, media_root, coordinator, django_assert_num_queries
):
    for _ in range(n):
        services.import_upload(actor=coordinator, upload=upload(tmp_path, {"persons": [{"person_id": "P"}]}))
    client.force_login(coordinator)
    client.get(reverse("caseload:index"))  # the session and the two-factor state warmed up
    with django_assert_num_queries(QUERIES_OF_THE_INDEX):
        page = client.get(reverse("caseload:index"))
    text = page.content.decode()
    assert all(
        reverse("caseload:run", args=[pk]) in text for pk in ImportRun.objects.values_list("pk", flat=True)
    )


def test_the_page_speaks_latvian(client, settings, coordinator):
    settings.LANGUAGE_CODE = "lv"
    client.force_login(coordinator)
    page = client.get(reverse("caseload:index"), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "Augšupielādēt un pārbaudīt" in page and "Lejupielādēt veidni (.xlsx)" in page
