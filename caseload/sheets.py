"""The import file: its kinds (one sheet or CSV file each), their columns, reading and the template.

The format is documented in docs/import.md; the template the page offers is written from the
column lists below, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

# Sheets are read in this order: a later kind refers to the ids of an earlier one.
KINDS: dict[str, tuple[str, ...]] = {
    "persons": (
        "person_id",
        "given_name",
        "family_name",
        "other_names",
        "date_of_birth",
        "estimated_age",
        "estimated_age_on",
        "sex",
        "citizenships",
        "stateless",
        "languages",
        "phone",
        "email",
        "address",
        "safe_contact_instructions",
    ),
    "cases": ("case_id", "person_id", "opened_on", "caseworkers"),
    "identification": (
        "case_id",
        "ground",
        "cp_case_number",
        "cp_date",
        "cp_body",
        "le_institution",
        "le_country",
        "le_number",
        "le_date",
        "commission_date",
        "commission_members",
        "outcome",
        "outcome_reason",
        "proposed_by",
    ),
    "course": ("case_id", "start_date", "status", "ended_on", "end_reason"),
    "court_support": ("case_id", "hours_used", "as_of"),
    "consultations": (
        "case_id",
        "kind",
        "used",
        "as_of",
        "specialist",
        "family_member_given_name",
        "family_member_relationship",
    ),
    "onward_referrals": (
        "case_id",
        "partner",
        "needs_note",
        "legal_basis",
        "consent_given_on",
        "consent_how",
        "consent_covers",
        "other_basis",
    ),
}

# An example row per kind for the template (invented people; the dates are relative to today).
EXAMPLE_ROWS: dict[str, list[str]] = {
    "persons": [
        "P-001",
        "Anna",
        "Paraugs",
        "",
        "1998-04-12",
        "",
        "",
        "female",
        "LV",
        "no",
        "latviešu, krievu",
        "",
        "",
        "",
        "Call the NGO's number first.",
    ],
    "cases": ["C-001", "P-001", "2025-01-15", "caseworker.username"],
    "identification": [
        "C-001",
        "law_enforcement_statement",
        "",
        "",
        "",
        "State Police",
        "LV",
        "15/2025",
        "2025-01-20",
        "",
        "",
        "identified",
        "",
        "caseworker.username",
    ],
    "course": ["C-001", "2025-02-01", "completed", "2025-07-30", ""],
    "court_support": ["C-001", "120", "2025-12-31"],
    "consultations": ["C-001", "post_course", "2", "2025-11-15", "psychologist", "", ""],
    "onward_referrals": [
        "C-001",
        "Rīga social service",
        "Housing and a job search.",
        "consent",
        "2025-08-01",
        "signed_form",
        "Name, contact and needs, for housing assistance.",
        "",
    ],
}

FILE_UNREADABLE = _(
    "The file could not be read: upload the template filled in, as an .xlsx workbook or a .zip of CSV files."
)
NO_KNOWN_SHEET = _("The file has none of the sheets %(kinds)s; start from the template.")
UNKNOWN_COLUMN = _("Unknown column “%(column)s”; the template names the columns of this sheet.")
MISSING_ID_COLUMN = _("The column “%(column)s” is missing; every row needs it.")


@dataclass
class Row:
    kind: str
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass
class Workbook:
    sheets: dict[str, list[Row]] = field(default_factory=dict)
    # Problems with the file itself: (sheet, column, message).
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.sheets.values())


class Unreadable(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # 120.0 -> "120", 0.25 -> "0.25": a spreadsheet's numbers without float noise.
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _sheet(kind: str, header: list, body, book: Workbook) -> None:
    columns = [_text(c).lower() for c in header]
    known = KINDS[kind]
    for column in columns:
        if column and column not in known:
            book.problems.append((kind, column, str(UNKNOWN_COLUMN % {"column": column})))
    if known[0] not in columns:
        book.problems.append((kind, known[0], str(MISSING_ID_COLUMN % {"column": known[0]})))
    rows = []
    for number, cells in enumerate(body, start=2):
        values = {
            column: _text(cell) for column, cell in zip(columns, cells, strict=False) if column in known
        }
        if not any(values.values()):
            continue  # an empty line between rows
        rows.append(Row(kind=kind, number=number, values={c: values.get(c, "") for c in known}))
    book.sheets[kind] = rows


def _finish(book: Workbook) -> Workbook:
    if not book.sheets:
        raise Unreadable(str(NO_KNOWN_SHEET % {"kinds": ", ".join(KINDS)}))
    return book


def read_xlsx(data: bytes) -> Workbook:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise Unreadable(str(FILE_UNREADABLE)) from error
    book = Workbook()
    try:
        for name in workbook.sheetnames:
            kind = name.strip().lower()
            if kind not in KINDS:
                continue
            rows = workbook[name].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            _sheet(kind, list(header), rows, book)
    finally:
        workbook.close()
    return _finish(book)


def _read_csv_text(kind: str, raw: bytes, book: Workbook) -> None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(str(FILE_UNREADABLE)) from error
    # A spreadsheet set to Latvian saves with semicolons; the template's CSVs use commas.
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, None)
    if header is not None:
        _sheet(kind, header, rows, book)


def read_csv_zip(data: bytes) -> Workbook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise Unreadable(str(FILE_UNREADABLE)) from error
    book = Workbook()
    with archive:
        for info in archive.infolist():
            kind = Path(info.filename).stem.strip().lower()
            if info.is_dir() or not info.filename.lower().endswith(".csv") or kind not in KINDS:
                continue
            _read_csv_text(kind, archive.read(info), book)
    return _finish(book)


def read_csv_dir(path: Path) -> Workbook:
    book = Workbook()
    for kind in KINDS:
        file = path / f"{kind}.csv"
        if file.is_file():
            _read_csv_text(kind, file.read_bytes(), book)
    return _finish(book)


def read_path(path: Path) -> Workbook:
    """A workbook, a zip of CSV files, a directory of them, or one CSV named after its kind."""
    if path.is_dir():
        return read_csv_dir(path)
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        book = Workbook()
        kind = path.stem.lower()
        if kind in KINDS:
            _read_csv_text(kind, data, book)
        return _finish(book)
    return read_bytes(data)


def read_bytes(data: bytes) -> Workbook:
    # An .xlsx is itself a zip: tell the two apart by the workbook's own part.
    if data[:2] == b"PK":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as error:
            raise Unreadable(str(FILE_UNREADABLE)) from error
        if "xl/workbook.xml" in names:
            return read_xlsx(data)
        return read_csv_zip(data)
    raise Unreadable(str(FILE_UNREADABLE))


def template_xlsx() -> bytes:
    """The template: one sheet per kind with its columns and one example row."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for kind, columns in KINDS.items():
        sheet = workbook.create_sheet(kind)
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.append(EXAMPLE_ROWS[kind])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(14, len(column) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, columns in KINDS.items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerow(EXAMPLE_ROWS[kind])
            archive.writestr(f"{kind}.csv", text.getvalue())
    return out.getvalue()
