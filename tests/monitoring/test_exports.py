"""Several summaries at once: a ZIP built by a Celery job, with progress, for the requester only, for a day."""

import datetime
import io
import time
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAccess
from monitoring import services
from monitoring.models import SummaryExport
from tests.factories import PersonFactory, make_case

from .conftest import pdf_text


@pytest.fixture
def ngo_cases(mandated_ngo, caseworker):
    return [
        make_case(
            organisation=mandated_ngo,
            caseworkers=[caseworker],
            person=PersonFactory(given_name="Aija", family_name="Bērziņa"),
        ),
        make_case(organisation=mandated_ngo, person=PersonFactory(given_name="Ēvalds", family_name="Ūdris")),
    ]


def _zip_names(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


@pytest.mark.django_db
def test_request_refuses_an_empty_selection_with_the_message(national):
    with pytest.raises(ValidationError) as error:
        services.summary_export_request(actor=national, filters={"q": "nobody-like-this"})
    assert error.value.messages == [str(services.EXPORT_NOTHING_SELECTED)]
    assert not SummaryExport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "police", "municipality", "admin"])
def test_request_refused_for_other_roles(all_role_users, ngo_cases, role):
    with pytest.raises(PermissionDenied):
        services.summary_export_request(actor=all_role_users[role], filters={})


@pytest.mark.django_db
def test_build_writes_one_pdf_per_case_and_records_each_as_a_download(
    media_root, coordinator, ngo_cases, case_of_other_ngo
):
    export = services.summary_export_request(actor=coordinator, filters={"q": "", "stage": "", "status": ""})
    assert (export.status, export.done, export.total) == ("queued", 0, 2)
    assert export.expires_at - export.created_at == datetime.timedelta(days=1)
    assert export.history.first().history_user == coordinator

    export = services.summary_export_build(export_id=export.pk)
    assert (export.status, export.done, export.total) == ("ready", 2, 2)
    assert export.file_path.startswith("exports/") and export.file_path.endswith(".zip")
    path = media_root / export.file_path
    # The coordinator's NGO only: the other NGO's case is not in the file.
    assert _zip_names(path) == sorted(f"{c.reference}-summary.pdf" for c in ngo_cases)
    with zipfile.ZipFile(path) as archive:
        text = pdf_text(archive.read(f"{ngo_cases[1].reference}-summary.pdf"))
    assert "Ēvalds Ūdris" in text
    accesses = CaseAccess.objects.filter(kind=CaseAccess.Kind.PDF)
    assert sorted(a.case_id for a in accesses) == sorted(c.pk for c in ngo_cases)
    assert {a.user_id for a in accesses} == {coordinator.pk}
    assert not CaseAccess.objects.filter(case=case_of_other_ngo).exists()

    # Idempotent: a finished export is left as it is.
    again = services.summary_export_build(export_id=export.pk)
    assert again.file_path == export.file_path
    assert CaseAccess.objects.filter(kind=CaseAccess.Kind.PDF).count() == 2


@pytest.mark.django_db
def test_filter_of_the_case_list_selects_the_cases(media_root, national, ngo_cases):
    export = services.summary_export_request(actor=national, filters={"q": "udris"})
    export = services.summary_export_build(export_id=export.pk)
    assert _zip_names(media_root / export.file_path) == [f"{ngo_cases[1].reference}-summary.pdf"]


@pytest.mark.django_db
def test_only_the_requester_downloads(client, media_root, national, coordinator, ngo_cases):
    export = services.summary_export_request(actor=coordinator, filters={})
    services.summary_export_build(export_id=export.pk)
    url = reverse("monitoring:export_download", args=[export.pk])
    client.force_login(national)
    assert client.get(url).status_code == 404
    assert client.get(reverse("monitoring:export_progress", args=[export.pk])).status_code == 404
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 2


@pytest.mark.django_db
def test_download_refused_before_ready_and_after_expiry(client, media_root, coordinator, ngo_cases):
    export = services.summary_export_request(actor=coordinator, filters={})
    client.force_login(coordinator)
    url = reverse("monitoring:export_download", args=[export.pk])
    response = client.get(url, follow=True)
    assert str(services.EXPORT_NOT_READY) in response.content.decode()

    export = services.summary_export_build(export_id=export.pk)
    path = media_root / export.file_path
    assert path.exists()
    # A day later the file is refused even before the purge has run...
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    SummaryExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, seconds=1),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = client.get(url, follow=True)
    assert str(services.EXPORT_EXPIRED) in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("monitoring:exports")
    # ...and the purge deletes it; running it twice changes nothing the second time.
    assert services.summary_exports_purge_expired(now=later) == 1
    assert not path.exists()
    export.refresh_from_db()
    assert (export.status, export.file_path) == ("expired", "")
    assert services.summary_exports_purge_expired(now=later) == 0
    assert str(services.EXPORT_EXPIRED) in client.get(url, follow=True).content.decode()


@pytest.mark.django_db
def test_purge_leaves_unexpired_exports(media_root, coordinator, ngo_cases):
    export = services.summary_export_request(actor=coordinator, filters={})
    services.summary_export_build(export_id=export.pk)
    assert services.summary_exports_purge_expired() == 0
    export.refresh_from_db()
    assert export.status == "ready"


@pytest.mark.django_db
def test_page_requests_an_export_and_shows_a_polling_progress_bar(
    client, media_root, national, ngo_cases, django_capture_on_commit_callbacks
):
    client.force_login(national)
    page = client.get(reverse("monitoring:exports"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("monitoring:exports"), {"q": "", "stage": "", "status": ""})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the job is queued once the request commits
    export = SummaryExport.objects.get()
    assert export.requested_by == national and export.total == 2
    assert export.filters == {"q": "", "stage": "", "status": "", "language": "en"}  # the summaries' language
    body = client.get(reverse("monitoring:exports")).content.decode()
    progress_url = reverse("monitoring:export_progress", args=[export.pk])
    assert f'hx-get="{progress_url}"' in body and 'hx-trigger="every 2s"' in body
    assert "<progress" in body and 'max="2"' in body and 'value="0"' in body
    assert "style=" not in body

    services.summary_export_build(export_id=export.pk)
    partial = client.get(progress_url).content.decode()
    assert "hx-get" not in partial  # finished: the polling stops
    assert 'value="2"' in partial
    assert reverse("monitoring:export_download", args=[export.pk]) in partial


@pytest.mark.django_db
def test_page_shows_the_refusal_message(client, national):
    client.force_login(national)
    response = client.post(reverse("monitoring:exports"), {"q": "nobody-like-this"})
    assert response.status_code == 400
    assert str(services.EXPORT_NOTHING_SELECTED) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "police", "municipality", "employment", "admin"])
def test_export_pages_are_404_for_other_roles(client, all_role_users, role):
    client.force_login(all_role_users[role])
    assert client.get(reverse("monitoring:exports")).status_code == 404


# --- through a real Celery worker ------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_zip_job_runs_through_a_real_worker_on_the_real_broker(settings, media_root, national, ngo_cases):
    from celery.contrib.testing.worker import start_worker

    from trafficking_cms.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        export = services.summary_export_request(actor=national, filters={})  # queued on commit
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.is_finished:
                break
            time.sleep(0.2)
    assert export.status == SummaryExport.Status.READY, export.error
    assert (export.done, export.total) == (2, 2)
    assert _zip_names(media_root / export.file_path) == sorted(
        f"{c.reference}-summary.pdf" for c in ngo_cases
    )
    assert CaseAccess.objects.filter(kind=CaseAccess.Kind.PDF, user=national).count() == 2
    assert Case.objects.count() == 2
