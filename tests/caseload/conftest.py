"""A caseload file as a test writes it: XLSX, a directory of CSV files, or a zip of them."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from caseload.sheets import KINDS


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def _rows(kind: str, rows: list[dict]) -> list[list[str]]:
    columns = KINDS[kind]
    return [list(columns)] + [[str(row.get(c, "")) for c in columns] for row in rows]


def write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for kind, rows in sheets.items():
        sheet = workbook.create_sheet(kind)
        for line in _rows(kind, rows):
            sheet.append(line)
    workbook.save(path)
    return path


def write_csv_dir(path: Path, sheets: dict[str, list[dict]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for kind, rows in sheets.items():
        with open(path / f"{kind}.csv", "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(_rows(kind, rows))
    return path


def csv_zip_bytes(sheets: dict[str, list[dict]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for kind, rows in sheets.items():
            text = io.StringIO()
            csv.writer(text).writerows(_rows(kind, rows))
            archive.writestr(f"{kind}.csv", text.getvalue())
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """The number of rows in every table of the database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def good_caseload(caseworker_username: str = "caseworker") -> dict[str, list[dict]]:
    """Two people: Anna in court support (120 h used) and a finished course with 2 post-course
    consultations used, referred to the municipality; Boris identified, in an active course."""
    return {
        "persons": [
            {
                "person_id": "P-1",
                "given_name": "Anna",
                "family_name": "Importa",
                "date_of_birth": "1995-03-04",
                "sex": "female",
                "citizenships": "LV",
                "stateless": "no",
                "languages": "latviešu",
            },
            {
                "person_id": "P-2",
                "given_name": "Boris",
                "family_name": "Ievests",
                "estimated_age": "30",
                "estimated_age_on": days_ago(200),
                "sex": "male",
                "citizenships": "UA",
            },
        ],
        "cases": [
            {
                "case_id": "C-1",
                "person_id": "P-1",
                "opened_on": days_ago(400),
                "caseworkers": caseworker_username,
            },
            {
                "case_id": "C-2",
                "person_id": "P-2",
                "opened_on": days_ago(200),
                "caseworkers": caseworker_username,
            },
        ],
        "identification": [
            {
                "case_id": "C-1",
                "ground": "law_enforcement_statement",
                "le_institution": "State Police",
                "le_country": "LV",
                "le_number": "15/2025",
                "le_date": days_ago(390),
            },
            {
                "case_id": "C-2",
                "ground": "criminal_procedure_decision",
                "cp_case_number": "11816000123",
                "cp_date": days_ago(190),
                "cp_body": "State Police",
            },
        ],
        "course": [
            {"case_id": "C-1", "start_date": days_ago(380), "status": "completed", "ended_on": days_ago(210)},
            {"case_id": "C-2", "start_date": days_ago(100), "status": "active"},
        ],
        "court_support": [{"case_id": "C-1", "hours_used": "120", "as_of": days_ago(5)}],
        "consultations": [
            {
                "case_id": "C-1",
                "kind": "post_course",
                "used": "2",
                "as_of": days_ago(100),
                "specialist": "psychologist",
            }
        ],
        "onward_referrals": [
            {
                "case_id": "C-1",
                "partner": "Rīga social service",
                "needs_note": "Housing.",
                "legal_basis": "consent",
                "consent_given_on": days_ago(150),
                "consent_how": "signed_form",
                "consent_covers": "Name, contact and needs, for housing.",
            }
        ],
    }


def broken_caseload() -> dict[str, list[dict]]:
    return {
        "persons": [
            # row 2: a date that does not exist and an address that is not one
            {"person_id": "P-1", "given_name": "A", "date_of_birth": "1990-02-31", "email": "not-an-email"},
            # row 3: a sex and a country the forms do not offer, and a yes/no that is neither
            {
                "person_id": "P-2",
                "given_name": "B",
                "sex": "robot",
                "citizenships": "LV, XX",
                "stateless": "maybe",
            },
            # row 4: both a date of birth and an estimated age (the model's own rule)
            {
                "person_id": "P-3",
                "given_name": "C",
                "date_of_birth": "1990-01-01",
                "estimated_age": "30",
                "estimated_age_on": days_ago(10),
            },
            # row 5: fine
            {"person_id": "P-4", "given_name": "D", "date_of_birth": "1990-01-01"},
            # row 6: the same id again
            {"person_id": "P-4", "given_name": "E"},
        ],
        "cases": [
            # row 2: a person nobody knows
            {"case_id": "C-1", "person_id": "P-9", "opened_on": days_ago(10)},
            # row 3: no date the form can read, and a caseworker who does not exist
            {"case_id": "C-2", "person_id": "P-4", "opened_on": "yesterday", "caseworkers": "nobody"},
            # row 4: fine
            {"case_id": "C-4", "person_id": "P-4", "opened_on": days_ago(10), "caseworkers": "caseworker"},
            # row 5: the person of a bad row
            {"case_id": "C-5", "person_id": "P-1", "opened_on": days_ago(10)},
        ],
        "identification": [
            # row 2: a ground that is none of the three
            {"case_id": "C-4", "ground": "hearsay"},
        ],
        "court_support": [
            # row 2: hours that are not a number
            {"case_id": "C-4", "hours_used": "lots", "as_of": days_ago(1)},
            # row 3: a victim not identified: the service's rule
            {"case_id": "C-4", "hours_used": "10", "as_of": days_ago(1)},
            # row 4: a case of a bad row
            {"case_id": "C-2", "hours_used": "10", "as_of": days_ago(1)},
        ],
    }


@pytest.fixture
def partner(municipality):
    return municipality.organisation
