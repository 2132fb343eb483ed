"""manage.py import_cases: the dry run, the all-or-nothing real run, the services' rules and
history, idempotence by the previous system's ids, both file formats, and who may import."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseload import importer, permissions, sheets
from caseload.forms import YES_OR_NO
from cases.models import Case, CaseAssignment, CaseUserObjectPermission, Person
from cases.services import NOT_ASSIGNABLE
from rehabilitation import selectors as rehabilitation_selectors
from rehabilitation import services as rehabilitation_services
from rehabilitation.forms import HOURS_NOT_A_NUMBER
from rehabilitation.models import CourtSupportEntry, PostCourseConsultation

from .conftest import (
    broken_caseload,
    csv_zip_bytes,
    good_caseload,
    table_counts,
    write_csv_dir,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


def run(path, *, user="coordinator", dry_run=False) -> str:
    out = StringIO()
    args = [str(path), "--as", user] + (["--dry-run"] if dry_run else [])
    call_command("import_cases", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_of_a_broken_file_reports_every_bad_row_and_column_and_changes_nothing(
    tmp_path, coordinator, caseworker
):
    path = write_xlsx(tmp_path / "broken.xlsx", broken_caseload())
    before = table_counts()
    book = sheets.read_path(path)
    report = importer.import_workbook(book=book, actor=coordinator, dry_run=True)
    assert table_counts() == before

    found = {(p.kind, p.row, p.column): p.message for p in report.problems}
    assert set(found) == {
        ("persons", 2, "date_of_birth"),
        ("persons", 2, "email"),
        ("persons", 3, "sex"),
        ("persons", 3, "citizenships"),
        ("persons", 3, "stateless"),
        ("persons", 4, ""),
        ("persons", 6, "person_id"),
        ("cases", 2, "person_id"),
        ("cases", 3, "opened_on"),
        ("cases", 3, "caseworkers"),
        ("cases", 5, "person_id"),
        ("identification", 2, "ground"),
        ("court_support", 2, "hours_used"),
        ("court_support", 3, ""),
        ("court_support", 4, "case_id"),
    }
    # The forms' and the services' own words.
    assert found["persons", 2, "date_of_birth"] == "Enter a valid date."
    assert found["persons", 2, "email"] == "Enter a valid email address."
    assert found["persons", 3, "sex"] == "Select a valid choice. robot is not one of the available choices."
    assert found["persons", 3, "stateless"] == str(YES_OR_NO)
    assert found["persons", 4, ""] == str(Person._meta.constraints[0].violation_error_message)
    assert found["persons", 6, "person_id"] == str(importer.ID_TWICE % {"id": "P-4", "row": 5})
    assert found["cases", 2, "person_id"] == str(importer.PERSON_UNKNOWN % {"id": "P-9"})
    assert found["cases", 3, "opened_on"] == "Enter a valid date."
    assert found["cases", 3, "caseworkers"] == str(importer.NO_SUCH_USER % {"username": "nobody"})
    assert found["cases", 5, "person_id"] == str(importer.PERSON_FAILED % {"id": "P-1", "row": 2})
    # The hours box of the court-support form: "1,5" would be read, "abc" is no number.
    assert found["court_support", 2, "hours_used"] == str(HOURS_NOT_A_NUMBER)
    assert found["court_support", 3, ""] == str(rehabilitation_services.NOT_IDENTIFIED)
    assert found["court_support", 4, "case_id"] == str(importer.CASE_FAILED % {"id": "C-2", "row": 3})

    # The command says the same, and fails.
    with pytest.raises(CommandError, match="15 problem"):
        run(path, dry_run=True)
    assert table_counts() == before


def test_a_real_run_with_one_bad_row_imports_nothing(tmp_path, coordinator, caseworker, partner):
    caseload = good_caseload()
    caseload["court_support"][0]["hours_used"] = "160"  # more than the 150 hours
    path = write_xlsx(tmp_path / "one-bad.xlsx", caseload)
    before = table_counts()
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cases", str(path), "--as", "coordinator", stdout=out)
    assert "court_support, row 2, hours_used: 150.00 hours of court support remain" in out.getvalue()
    assert table_counts() == before


def test_a_good_file_imports_through_the_services(tmp_path, client, coordinator, caseworker, partner):
    path = write_xlsx(tmp_path / "caseload.xlsx", good_caseload())
    before = table_counts()
    assert "Nothing was changed" in run(path, dry_run=True)
    assert table_counts() == before

    assert "Imported 11 rows" in run(path)
    anna = Case.objects.get(organisation=coordinator.organisation, external_id="C-1")
    boris = Case.objects.get(external_id="C-2")
    assert anna.person.external_id == "P-1" and anna.person.given_name == "Anna"
    assert anna.victim_status == Case.VictimStatus.IDENTIFIED
    assert anna.stage == Case.Stage.REINTEGRATION
    assert boris.stage == Case.Stage.REHABILITATION

    # History with the acting user, and the reason.
    opened = anna.history.earliest()
    assert opened.history_user == coordinator
    assert opened.history_change_reason == str(importer.IMPORTED_REASON)
    assert anna.person.history.get().history_user == coordinator
    identification = anna.identifications.get()
    assert identification.proposed_by == caseworker and identification.decided_by == coordinator

    # The assigned caseworker holds the object permissions, granted by the coordinator.
    assert CaseAssignment.objects.filter(case=anna, user=caseworker, ended_at__isnull=True).exists()
    grants = CaseUserObjectPermission.objects.filter(user=caseworker, content_object=anna)
    assert {g.permission.codename for g in grants} == {"view_case", "change_case"}
    assert all(g.history.get().history_user == coordinator for g in grants)

    # Limits: 120 hours used leave 30; the opening balance is marked as imported.
    entry = CourtSupportEntry.objects.get(case=anna)
    assert entry.opening_balance and entry.hours == Decimal("120.00")
    assert entry.history.get().history_user == coordinator
    entitlements = rehabilitation_selectors.entitlements_for_case(case=anna)
    assert entitlements.court_hours_remaining == Decimal("30.00")
    assert PostCourseConsultation.objects.filter(course__case=anna, opening_balance=True).count() == 2
    # ... and the services go on counting from there: 30.25 more hours are refused.
    with pytest.raises(ValidationError, match=r"30\.00 hours of court support remain"):
        rehabilitation_services.court_support_log(
            case=anna, date=entry.date, hours="30.25", activity="Hearing", actor=caseworker
        )

    client.force_login(caseworker)
    page = client.get(reverse("cases:detail", kwargs={"reference": anna.reference}))
    assert page.status_code == 200
    assert "120.00 of 150.00 hours used · 30.00 remaining" in page.content.decode()


def test_running_the_import_again_duplicates_nothing(tmp_path, coordinator, caseworker, partner):
    path = write_xlsx(tmp_path / "caseload.xlsx", good_caseload())
    run(path)
    after_first = table_counts()
    out = run(path)
    assert "skipped (imported before) persons 2, cases 2, identification 2" in out
    history_tables = {t for t in after_first if "historical" in t}
    assert {t: n for t, n in table_counts().items() if t not in history_tables} == {
        t: n for t, n in after_first.items() if t not in history_tables
    }
    assert table_counts() == after_first
    assert Case.objects.filter(external_id="C-1").count() == 1
    assert CourtSupportEntry.objects.count() == 1


@pytest.mark.parametrize("kind", ["xlsx", "csv-dir", "csv-zip"])
def test_an_xlsx_workbook_and_csv_files_both_work(tmp_path, coordinator, caseworker, partner, kind):
    caseload = good_caseload()
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "caseload.xlsx", caseload)
    elif kind == "csv-dir":
        path = write_csv_dir(tmp_path / "caseload", caseload)
    else:
        path = tmp_path / "caseload.zip"
        path.write_bytes(csv_zip_bytes(caseload))
    run(path)
    anna = Case.objects.get(external_id="C-1")
    assert rehabilitation_selectors.entitlements_for_case(case=anna).court_hours_remaining == Decimal("30.00")
    assert Person.objects.get(external_id="P-2").citizenships[0].code == "UA"


def test_semicolon_csv_as_a_latvian_spreadsheet_saves_it(tmp_path, coordinator):
    folder = tmp_path / "lv"
    folder.mkdir()
    (folder / "persons.csv").write_text(
        "\ufeffperson_id;given_name;date_of_birth\nP-1;Ēriks;1990-01-02\n", "utf-8"
    )
    run(folder)
    assert Person.objects.get(external_id="P-1").given_name == "Ēriks"


def test_a_caseworker_cannot_import(tmp_path, caseworker):
    path = write_xlsx(tmp_path / "caseload.xlsx", good_caseload())
    before = table_counts()
    message = str(permissions.NOT_A_COORDINATOR % {"name": caseworker.display_name})
    with pytest.raises(CommandError, match=message):
        run(path, user="caseworker", dry_run=True)
    with pytest.raises(PermissionDenied, match=message):
        importer.import_workbook(book=sheets.read_path(path), actor=caseworker, dry_run=False)
    assert table_counts() == before


def test_another_ngos_coordinator_imports_into_their_own_ngo_only(
    tmp_path, coordinator, caseworker, other_ngo_worker, partner
):
    # The other NGO's coordinator names this NGO's caseworker: the service refuses the assignment.
    path = write_xlsx(tmp_path / "caseload.xlsx", good_caseload())
    before = table_counts()
    report = importer.import_workbook(book=sheets.read_path(path), actor=other_ngo_worker, dry_run=False)
    found = {(p.kind, p.row, p.column): p.message for p in report.problems}
    assert found["cases", 2, "caseworkers"] == str(NOT_ASSIGNABLE % {"name": caseworker.display_name})
    assert table_counts() == before
    # Its ids are its own: this NGO's import of the same ids is not skipped.
    run(path)
    assert Case.objects.get(external_id="C-1").organisation == coordinator.organisation


def test_the_template_has_every_sheet_and_column(coordinator):
    book = sheets.read_bytes(sheets.template_xlsx())
    assert list(book.sheets) == list(sheets.KINDS)
    assert not book.problems
    zipped = zipfile.ZipFile(__import__("io").BytesIO(sheets.template_csv_zip()))
    assert sorted(zipped.namelist()) == sorted(f"{k}.csv" for k in sheets.KINDS)


def test_a_file_that_is_no_workbook_is_refused_with_a_message(tmp_path, coordinator):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"hello")
    with pytest.raises(CommandError, match="could not be read"):
        run(path, dry_run=True)
