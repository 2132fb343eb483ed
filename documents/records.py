"""The records of a case a document can belong to, read through their apps' selectors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Case
from rehabilitation import selectors as rehabilitation_selectors
from services import selectors as services_selectors

from .models import RECORDS_WITHOUT_ID, RecordKind


def case_records(case: Case) -> list[tuple[str, int | None, str]]:
    """(kind, id, label) of every record of the case a document may be attached to."""
    rows: list[tuple[str, int | None, str]] = [(RecordKind.CASE, None, str(RecordKind.CASE.label))]
    for ident in services_selectors.identification_list(case=case)[:20]:
        label = f"{RecordKind.IDENTIFICATION.label}: {ident.get_ground_display()} ({ident.proposed_at:%Y-%m-%d}, {ident.get_status_display()})"
        rows.append((RecordKind.IDENTIFICATION, ident.pk, label))
    for proceeding in services_selectors.proceeding_list(case=case):
        rows.append((RecordKind.PROCEEDING, proceeding.pk, f"{RecordKind.PROCEEDING.label}: {proceeding}"))
    for record in services_selectors.assistance_list(case=case):
        label = f"{RecordKind.ASSISTANCE.label}: {record.get_kind_display()} ({record.started_on:%Y-%m-%d})"
        rows.append((RecordKind.ASSISTANCE, record.pk, label))
    permit = services_selectors.residence_permit_get(case=case)
    if permit is not None:
        rows.append((RecordKind.RESIDENCE_PERMIT, permit.pk, str(RecordKind.RESIDENCE_PERMIT.label)))
    course = rehabilitation_selectors.course_current(case=case)
    if course is not None:
        rows.append((RecordKind.COURSE, course.pk, f"{RecordKind.COURSE.label}: {course}"))
    rows.append((RecordKind.CONSENT, None, _("Consent to referral and sharing")))
    return rows


def record_value(kind: str, record_id: int | None) -> str:
    return kind if record_id is None else f"{kind}:{record_id}"


def record_choices(case: Case) -> list[tuple[str, str]]:
    return [(record_value(kind, pk), label) for kind, pk, label in case_records(case)]


def parse_record(value: str) -> tuple[str, int | None]:
    """ "identification:12" -> ("identification", 12); "case" -> ("case", None); else ValueError."""
    kind, _sep, raw = (value or "").partition(":")
    if kind not in RecordKind.values:
        raise ValueError(value)
    if kind in RECORDS_WITHOUT_ID:
        if raw:
            raise ValueError(value)
        return kind, None
    if not raw.isdigit():
        raise ValueError(value)
    return kind, int(raw)


def record_belongs(case: Case, kind: str, record_id: int | None) -> bool:
    return any(k == kind and pk == record_id for k, pk, _label in case_records(case))
