"""The PDF case summary: its content (as extracted text), who may download it, the read log, the fetcher."""

import re

import pytest
from django.urls import reverse

from cases.models import CaseAccess
from monitoring import pdf, selectors
from tests.factories import PersonFactory, make_case

from .conftest import pdf_fonts, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def _url(case):
    return reverse("case_summary_pdf", args=[case.reference])


def test_url_sits_beside_the_case_page(case_of_caseworker):
    assert _url(case_of_caseworker) == f"/cases/{case_of_caseworker.reference}/summary.pdf"


def test_summary_shows_reference_person_with_diacritics_and_who_downloaded(
    client, national, case_of_caseworker
):
    client.force_login(national)
    response = client.get(_url(case_of_caseworker))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{case_of_caseworker.reference}-summary.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    assert f"Case summary {case_of_caseworker.reference}" in text
    assert "Aija Bērziņa" in text  # bold
    assert "Anna Kalniņa" in text  # the caseworker, regular
    assert f"Downloaded by {national.display_name} (Ministry of the Interior) on" in text
    assert f"Page 1 / {pdf_pages(response.content)}" in text
    # One installed font, in both weights: no fallback font for ē, ņ or the page-number boxes.
    assert pdf_fonts(response.content) == ["DejaVu-Sans", "DejaVu-Sans-Bold"]


def test_reference_page_numbers_and_footer_on_every_page(client, coordinator, mandated_ngo):
    long_address = "Brīvības iela 1, Rīga. " * 900
    case = make_case(
        organisation=mandated_ngo,
        person=PersonFactory(given_name="Ērika", family_name="Šķēle", address=long_address),
    )
    client.force_login(coordinator)
    content = client.get(_url(case)).content
    pages = pdf_pages(content)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(content, page=page)
        assert case.reference in text, page
        assert f"Page {page} / {pages}" in text
        assert f"Downloaded by {coordinator.display_name} (Mandated NGO) on" in text


def test_stage_history_with_dates(client, national, mandated_ngo, coordinator):
    from cases import services as case_services

    case = make_case(organisation=mandated_ngo)
    case_services.case_set_victim_status(case=case, status="identified", actor=coordinator)
    case_services.case_move_to_stage(
        case=case, stage="rehabilitation", actor=coordinator, reason="Identified"
    )
    client.force_login(national)
    text = pdf_text(client.get(_url(case)).content)
    day = case.opened_on.strftime("%Y-%m-%d")
    assert "Stage history" in text
    lines = [line for line in text.splitlines() if day in line]
    assert any("Identification" in line and "the system" in line for line in lines)
    assert any("Rehabilitation" in line and coordinator.display_name in line for line in lines)


# --- who may download ----------------------------------------------------------------------------

MAY = {"national": 200, "coordinator": 200}


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
        "national",
        "admin",
    ],
)
def test_only_national_and_the_ngo_coordinator_download(client, all_role_users, case_of_caseworker, role):
    client.force_login(all_role_users[role])
    response = client.get(_url(case_of_caseworker))
    assert response.status_code == MAY.get(role, 404), role
    recorded = CaseAccess.objects.filter(case=case_of_caseworker, kind=CaseAccess.Kind.PDF)
    assert recorded.count() == (1 if role in MAY else 0)
    if response.status_code == 404:
        assert b"%PDF" not in response.content
        assert "Bērziņa" not in response.content.decode(errors="replace")


def test_the_ngo_coordinator_gets_404_for_another_ngos_case(client, coordinator, case_of_other_ngo):
    client.force_login(coordinator)
    assert client.get(_url(case_of_other_ngo)).status_code == 404


def test_missing_case_is_the_same_404(client, national):
    client.force_login(national)
    assert client.get("/cases/NRM-1999-9999/summary.pdf").status_code == 404


def test_anonymous_is_sent_to_log_in(client, case_of_caseworker):
    response = client.get(_url(case_of_caseworker))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_download_is_recorded_like_a_view(client, national, case_of_caseworker):
    client.force_login(national)
    client.get(_url(case_of_caseworker))
    access = CaseAccess.objects.get(case=case_of_caseworker, kind=CaseAccess.Kind.PDF)
    assert access.user == national
    assert access.organisation == national.organisation
    assert access.history.get().history_user == national


def test_case_page_links_to_the_summary_for_those_who_may(client, national, caseworker, case_of_caseworker):
    client.force_login(national)
    assert _url(case_of_caseworker) in client.get(case_of_caseworker.get_absolute_url()).content.decode()
    client.force_login(caseworker)
    assert _url(case_of_caseworker) not in client.get(case_of_caseworker.get_absolute_url()).content.decode()


# --- the fetcher -------------------------------------------------------------------------------


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOPSECRET-7f3a9c")
    return path


def _hostname() -> str:
    with open("/etc/hostname") as handle:
        return handle.read().strip()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/static/css/pdf.css",
        "data:text/plain;base64,SGVsbG8=",
        "ftp://example.com/x",
        "https://pdf.nrm.invalid/etc/hostname",
        "https://pdf.nrm.invalid/static/../../../etc/hostname",
        "https://pdf.nrm.invalid/static/%2e%2e/%2e%2e/etc/hostname",
        "https://pdf.nrm.invalid/static/css/../../monitoring/pdf.py",
        "https://pdf.nrm.invalid/static/css/pdf.css?x=1",
        "https://user@pdf.nrm.invalid/static/css/pdf.css",
        "https://pdf.nrm.invalid/static/missing.css",
        "https://pdf.nrm.invalid.example.com/static/css/pdf.css",
    ],
)
def test_fetcher_refuses_everything_but_own_static_files(url):
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_projects_static_files():
    fetcher = pdf.StaticOnlyFetcher()
    response = fetcher("https://pdf.nrm.invalid/static/css/pdf.css")
    assert b"DejaVu Sans" in response.read()
    assert response.content_type == "text/css"


def test_rendering_raw_html_fetches_no_file_or_remote_url(secret_file):
    html = (
        f'<html><body><p>x</p><img src="file://{secret_file}"><img src="file:///etc/hostname">'
        f'<link rel="attachment" href="file://{secret_file}"><link rel="attachment" href="file:///etc/hostname">'
        '<img src="http://127.0.0.1:9/x.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
        f'<iframe src="file://{secret_file}"></iframe><object data="file://{secret_file}"></object>'
        f'<style>@import url("file://{secret_file}");</style></body></html>'
    )
    fetcher = pdf.StaticOnlyFetcher()
    content = pdf.render_pdf(html, fetcher=fetcher)
    assert fetcher.served == []
    assert f"file://{secret_file}" in fetcher.refused
    assert "file:///etc/hostname" in fetcher.refused
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert b"/EmbeddedFile" not in content and b"/Filespec" not in content
    text = pdf_text(content)
    assert "TOPSECRET" not in text


def test_free_text_with_urls_and_tags_is_printed_not_fetched(client, national, mandated_ngo, secret_file):
    typed = (
        f'<img src="file:///etc/hostname"> <link rel="attachment" href="file:///etc/hostname"> '
        f'<img src="file://{secret_file}"> see http://127.0.0.1:9/x.png'
    )
    case = make_case(
        organisation=mandated_ngo,
        person=PersonFactory(
            address=typed, other_names=f'<link rel="attachment" href="file://{secret_file}">'
        ),
    )
    client.force_login(national)
    content = client.get(_url(case)).content
    assert b"/EmbeddedFile" not in content
    text = pdf_text(content)
    assert "TOPSECRET" not in text
    hostname = _hostname()
    if len(hostname) >= 4:
        assert hostname not in text
    assert '<img src="file:///etc/hostname">' in text.replace("\n", " ") or "file:///etc/hostname" in text


def test_summary_renders_with_only_its_stylesheet_fetched(national, case_of_caseworker):
    fetcher = pdf.StaticOnlyFetcher()
    summary = selectors.summary_for_case(case=case_of_caseworker, user=national)
    pdf.render_summary_pdf(summary, fetcher=fetcher)
    assert fetcher.served == ["https://pdf.nrm.invalid/static/css/pdf.css"]
    assert fetcher.refused == []


def test_download_also_goes_to_the_security_log(client, national, case_of_caseworker):
    from accounts.models import SecurityEvent

    client.force_login(national)
    client.get(_url(case_of_caseworker))
    event = SecurityEvent.objects.get(kind="download")
    assert (event.user, event.target, event.path) == (
        national,
        case_of_caseworker.reference,
        _url(case_of_caseworker),
    )


# --- the course and every limit -----------------------------------------------------------------


@pytest.fixture
def rehabilitated_case(mandated_ngo, caseworker, coordinator):
    import datetime

    from django.utils import timezone

    from cases.models import Alert
    from rehabilitation import services as rehab
    from services import services as stage2

    today = timezone.localdate()
    case = make_case(
        organisation=mandated_ngo,
        caseworkers=[caseworker],
        person=PersonFactory(given_name="Oksana", family_name="Kovaļenko", citizenships=["UA"]),
        opened_on=today - datetime.timedelta(days=20),
    )
    stage2.reflection_period_start(case=case, actor=caseworker, start_date=today - datetime.timedelta(days=9))
    identification = stage2.identification_propose(
        case=case,
        actor=caseworker,
        ground="criminal_procedure_decision",
        cp_case_number="11816000777",
        cp_date=today - datetime.timedelta(days=5),
        cp_body="Valsts policija",
    )
    stage2.identification_approve(identification=identification, actor=coordinator)
    case.refresh_from_db()
    rehab.course_start(case=case, start_date=today - datetime.timedelta(days=4), actor=caseworker)
    rehab.course_service_log(
        case=case,
        date=today,
        specialist="psychologist",
        hours="1.50",
        notes="SECRET-CONSULTATION-NOTE",
        actor=caseworker,
    )
    rehab.court_support_log(case=case, date=today, hours="12.50", activity="Tiesas sēde", actor=caseworker)
    Alert.objects.create(case=case, kind=Alert.Kind.COURT_HOURS_80, due_on=today)
    return case


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_summary_shows_the_course_and_every_limit_used_and_remaining(client, national, rehabilitated_case):
    client.force_login(national)
    text = _flat(pdf_text(client.get(_url(rehabilitated_case)).content))
    assert "Oksana Kovaļenko" in text
    assert "Decision of the performer of the criminal procedure" in text  # the ground
    # Table cells wrap in the extracted text: each limit's used and remaining, in its row's order.
    assert re.search(r"Rehabilitation course \(180 5 of 180 days 175 days .* days\)", text)
    assert re.search(r"Court support \(150 hours\) 12\.50 of 150\.00 137\.50 hours hours", text)
    assert re.search(r"Consultations after the 0 of 5 5 after the course ends course \(5\)", text)
    assert "Family consultations (5) 0 of 5 5 only for a victim under 18 at identification" in text
    assert "Reflection period (30 days) day 10 of 30 20 days" in text
    assert "Psychologist 1.50" in text and "12.50 Tiesas sēde" in text
    assert "80 % of the court-support hours are used" in text  # an open alert
    # Consultation notes are free text the national coordinator may not read: never in the PDF.
    assert "SECRET-CONSULTATION-NOTE" not in text


def test_summary_shows_the_referral_and_reintegration(
    client, coordinator, police, caseworker, case_of_caseworker
):
    import datetime

    from django.utils import timezone

    from cases.models import Organisation
    from referrals.models import Referral
    from reintegration.models import EmploymentMeasure, PartnerReferral
    from tests.factories import OrganisationFactory

    case = case_of_caseworker
    Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="accepted",
        consent=True,
        case=case,
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        forms_of_exploitation=["sexual", "forced_labour"],
        indicators=["withheld_documents"],
        met_place="Rīgas osta",
        intake_organisation=case.organisation,
    )
    agency = OrganisationFactory(
        name="Nodarbinātības valsts aģentūra", kind=Organisation.Kind.EMPLOYMENT_AGENCY
    )
    partner = PartnerReferral.objects.create(
        case=case, partner=agency, needs_note="PRIVATE-NEEDS-NOTE", referred_by=caseworker
    )
    EmploymentMeasure.objects.create(
        referral=partner,
        kind="counselling",
        started_on=timezone.localdate(),
        outcome="Darba plāns",
        recorded_by=caseworker,
    )
    client.force_login(coordinator)
    text = _flat(pdf_text(client.get(_url(case)).content))
    assert "State police (State police)" in text
    assert "Sexual exploitation, Forced labour" in text
    assert "Identity or travel documents withheld" in text
    assert "Rīgas osta" in text
    assert "Nodarbinātības valsts aģentūra · Active" in text
    assert "Career counselling" in text and "Darba plāns" in text
    # The note addressed to the partner is theirs to read, not part of the summary.
    assert "PRIVATE-NEEDS-NOTE" not in text
