"""Bring an existing caseload in: every row through the same forms and services as a page.

One transaction for the whole file, and a savepoint per row, so that a bad row is reported and
the next one is still tried: the report names every bad row and column, in the words the forms
and services use. A dry run, or a run with any problem, rolls the whole transaction back; only a
clean real run commits (docs/import.md).

Idempotent by the previous system's ids: a person or case whose id this organisation already
imported is left as it is, and so are the rows of the other sheets that belong to such a case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services as case_services
from cases.models import STAGE_TRANSITIONS, Case, Organisation, Person, User
from rehabilitation import services as rehabilitation_services
from rehabilitation.forms import (
    CourseEndForm,
    CourseStartForm,
    CourtSupportForm,
    FamilyMemberForm,
    PostCourseConsultationForm,
)
from reintegration import selectors as reintegration_selectors
from reintegration import services as reintegration_services
from reintegration.forms import ReferForm
from services import services as identification_services
from services.forms import IdentificationProposeForm

from . import permissions
from .forms import CaseRowForm, ConsultationsRowForm, CourseRowForm, PersonRowForm
from .sheets import KINDS, Row, Workbook

# Messages: module constants the tests reuse.
ID_TWICE = _("The id “%(id)s” appears twice in this sheet (also in row %(row)s); give each row its own id.")
PERSON_UNKNOWN = _("No person with the id “%(id)s” is in the persons sheet or was imported before.")
PERSON_FAILED = _(
    "The person “%(id)s” could not be imported (persons sheet, row %(row)s); correct that row first."
)
CASE_UNKNOWN = _("No case with the id “%(id)s” is in the cases sheet or was imported before.")
CASE_FAILED = _("The case “%(id)s” could not be imported (cases sheet, row %(row)s); correct that row first.")
NO_SUCH_USER = _("There is no user “%(username)s”; give the user name of a caseworker of your NGO.")
PROPOSER_NEEDED = _(
    "Name the caseworker who proposed the identification (or assign one in the cases sheet): "
    "you approve it as the second pair of eyes."
)
PROPOSER_MAY_NOT = _(
    "%(name)s may not propose the identification of this case; assign them to it in the cases sheet."
)
NOT_ALLOWED_ON_CASE = _("You may not record this on this case.")
IMPORTED_REASON = _("Imported from the previous system")
OPENING_BALANCE_ACTIVITY = _("Opening balance: hours used before the import from the previous system")
OPENING_BALANCE_NOTE = _("Opening balance: used before the import from the previous system")
NOT_IN_FUTURE = reintegration_services.NOT_IN_FUTURE

CREATED, SKIPPED = "created", "skipped"


@dataclass(frozen=True)
class Problem:
    kind: str
    row: int | None  # None: the sheet itself (a column missing or unknown)
    column: str
    message: str


@dataclass
class Report:
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "problems": [p.__dict__ for p in self.problems],
            "created": dict(self.created),
            "skipped": dict(self.skipped),
        }


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Context:
    actor: User
    organisation: Organisation
    persons: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    # Cases imported by an earlier run: their rows in the other sheets are left as they are.
    earlier: set[str] = field(default_factory=set)
    # Ids whose row failed, with the row's number, so that the rows that refer to them say why.
    failed: dict[tuple[str, str], int] = field(default_factory=dict)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------------


def _messages(error) -> list[str]:
    return [str(m) for m in ValidationError(error).messages]


def _bind(form: forms.Form, columns: dict[str, str]) -> dict:
    """Clean a form; its field errors come back on the file's columns (form field -> column)."""
    if form.is_valid():
        return form.cleaned_data
    errors: dict[str, list[str]] = {}
    for name, errs in form.errors.items():
        column = columns.get(name, name if name != "__all__" else "")
        errors.setdefault(column, []).extend(str(e) for e in errs)
    raise RowError(errors)


def _bind_all(*pairs: tuple[forms.Form, dict[str, str]]) -> list[dict]:
    """Clean several forms and report the errors of all of them at once."""
    cleaned, errors = [], {}
    for form, columns in pairs:
        try:
            cleaned.append(_bind(form, columns))
        except RowError as error:
            for column, messages in error.errors.items():
                errors.setdefault(column, []).extend(messages)
    if errors:
        raise RowError(errors)
    return cleaned


def _service_errors(error: ValidationError, columns: dict[str, str]) -> RowError:
    if hasattr(error, "error_dict"):
        errors: dict[str, list[str]] = {}
        for name, errs in error.error_dict.items():
            column = columns.get(name, name if name != "__all__" else "")
            errors.setdefault(column, []).extend(_messages(errs))
        return RowError(errors)
    return RowError({"": _messages(error)})


def _call(columns: dict[str, str], service: Callable, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as error:
        raise _service_errors(error, columns) from None


def _claim_id(ctx: Context, row: Row, column: str) -> str:
    value = row.values[column]
    if not value:
        raise RowError({column: [str(forms.Field.default_error_messages["required"])]})
    key = (row.kind, value)
    if key in ctx.seen:
        raise RowError({column: [str(ID_TWICE % {"id": value, "row": ctx.seen[key]})]})
    ctx.seen[key] = row.number
    return value


def _case_for(ctx: Context, row: Row) -> Case | None:
    """The case a row of a later sheet belongs to; None when an earlier run imported it."""
    value = row.values["case_id"]
    if not value:
        raise RowError({"case_id": [str(forms.Field.default_error_messages["required"])]})
    if value in ctx.earlier:
        return None
    if value in ctx.cases:
        return ctx.cases[value]
    if ("cases", value) in ctx.failed:
        raise RowError({"case_id": [str(CASE_FAILED % {"id": value, "row": ctx.failed["cases", value]})]})
    case = Case.objects.filter(organisation=ctx.organisation, external_id=value).first()
    if case is None:
        raise RowError({"case_id": [str(CASE_UNKNOWN % {"id": value})]})
    ctx.earlier.add(value)
    return None


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("organisation").first()


def _move_to(case: Case, stage: str, actor: User) -> Case:
    case.refresh_from_db()
    if case.stage != stage and stage in STAGE_TRANSITIONS[case.stage]:
        case = case_services.case_move_to_stage(case=case, stage=stage, actor=actor, reason=IMPORTED_REASON)
    return case


# --- one handler per kind ---------------------------------------------------------------------


def _persons(ctx: Context, row: Row) -> str:
    external_id = _claim_id(ctx, row, "person_id")
    existing = Person.objects.filter(external_organisation=ctx.organisation, external_id=external_id).first()
    if existing is not None:
        ctx.persons[external_id] = existing
        return SKIPPED
    data = _bind(PersonRowForm(row.values), {})
    person = _call(
        {},
        case_services.person_create,
        actor=ctx.actor,
        external_id=external_id,
        external_organisation=ctx.organisation,
        **data,
    )
    ctx.persons[external_id] = person
    return CREATED


def _cases(ctx: Context, row: Row) -> str:
    external_id = _claim_id(ctx, row, "case_id")
    existing = Case.objects.filter(organisation=ctx.organisation, external_id=external_id).first()
    if existing is not None:
        ctx.earlier.add(external_id)
        return SKIPPED
    errors: dict[str, list[str]] = {}
    form = CaseRowForm(row.values)
    data = form.cleaned_data if form.is_valid() else {}
    for name, errs in form.errors.items():
        errors.setdefault(name, []).extend(str(e) for e in errs)
    person_id = data.get("person_id")
    person = ctx.persons.get(person_id) if person_id else None
    if person_id and person is None and ("persons", person_id) in ctx.failed:
        errors["person_id"] = [
            str(PERSON_FAILED % {"id": person_id, "row": ctx.failed["persons", person_id]})
        ]
    elif person_id and person is None:
        person = Person.objects.filter(external_organisation=ctx.organisation, external_id=person_id).first()
        if person is None:
            errors["person_id"] = [str(PERSON_UNKNOWN % {"id": person_id})]
    if data.get("opened_on") and data["opened_on"] > timezone.localdate():
        errors["opened_on"] = [str(NOT_IN_FUTURE)]
    caseworkers = []
    # Every name is checked, even when another column is wrong: the report lists them all.
    for username in CaseRowForm.base_fields["caseworkers"].to_python(row.values["caseworkers"]):
        user = _user(username)
        if user is None:
            errors.setdefault("caseworkers", []).append(str(NO_SUCH_USER % {"username": username}))
        else:
            caseworkers.append(user)
    if errors:
        raise RowError(errors)
    case = case_services.case_open(
        person=person,
        organisation=ctx.organisation,
        actor=ctx.actor,
        opened_on=data["opened_on"],
        reason=IMPORTED_REASON,
        external_id=external_id,
    )
    for user in caseworkers:
        _call(
            {"caseworker": "caseworkers"},
            case_services.case_assign_caseworker,
            case=case,
            caseworker=user,
            actor=ctx.actor,
        )
    ctx.cases[external_id] = case
    return CREATED


def _identification(ctx: Context, row: Row) -> str:
    case = _case_for(ctx, row)
    if case is None:
        return SKIPPED
    values = dict(row.values)
    values["outcome"] = values["outcome"] or "identified"
    # One member a line on the page; one member between vertical bars in a cell.
    values["commission_members"] = "\n".join(part.strip() for part in values["commission_members"].split("|"))
    form = IdentificationProposeForm(values)
    _bind(form, {})
    username = values["proposed_by"]
    if username:
        proposer = _user(username)
        if proposer is None:
            raise RowError({"proposed_by": [str(NO_SUCH_USER % {"username": username})]})
    else:
        assignment = (
            case.assignments.filter(ended_at__isnull=True).select_related("user").order_by("pk").first()
        )
        if assignment is None:
            raise RowError({"proposed_by": [str(PROPOSER_NEEDED)]})
        proposer = assignment.user
    try:
        identification = _call(
            {},
            identification_services.identification_propose,
            case=case,
            actor=proposer,
            **form.service_kwargs(),
        )
    except PermissionDenied:
        raise RowError({"proposed_by": [str(PROPOSER_MAY_NOT % {"name": proposer.display_name})]}) from None
    _call({}, identification_services.identification_approve, identification=identification, actor=ctx.actor)
    if identification.outcome == identification.Outcome.IDENTIFIED:
        ctx.cases[row.values["case_id"]] = _move_to(case, Case.Stage.REHABILITATION, ctx.actor)
    return CREATED


COURSE_COLUMNS = {"reason": "end_reason"}


def _course(ctx: Context, row: Row) -> str:
    case = _case_for(ctx, row)
    if case is None:
        return SKIPPED
    v = row.values
    status = _bind(CourseRowForm(v), {})["status"]
    pairs = [(CourseStartForm({"start_date": v["start_date"]}), {})]
    if status != "active":
        pairs.append(
            (
                CourseEndForm({"status": status, "ended_on": v["ended_on"], "reason": v["end_reason"]}),
                COURSE_COLUMNS,
            )
        )
    cleaned = _bind_all(*pairs)
    _call(
        {},
        rehabilitation_services.course_start,
        case=case,
        start_date=cleaned[0]["start_date"],
        actor=ctx.actor,
    )
    if status != "active":
        end = cleaned[1]
        _call(
            COURSE_COLUMNS,
            rehabilitation_services.course_end,
            case=case,
            ended_on=end["ended_on"],
            status=status,
            reason=end["reason"],
            actor=ctx.actor,
        )
    return CREATED


COURT_COLUMNS = {"date": "as_of", "hours": "hours_used"}


def _court_support(ctx: Context, row: Row) -> str:
    case = _case_for(ctx, row)
    if case is None:
        return SKIPPED
    v = row.values
    form = CourtSupportForm(
        {"date": v["as_of"], "hours": v["hours_used"], "activity": str(OPENING_BALANCE_ACTIVITY)}
    )
    data = _bind(form, COURT_COLUMNS)
    if data["hours"] == 0:
        return SKIPPED  # nothing used: nothing to record
    _call(
        COURT_COLUMNS,
        rehabilitation_services.court_support_log,
        case=case,
        date=data["date"],
        hours=data["hours"],
        activity=data["activity"],
        actor=ctx.actor,
        opening_balance=True,
    )
    return CREATED


CONSULTATION_COLUMNS = {
    "date": "as_of",
    "given_name": "family_member_given_name",
    "relationship": "family_member_relationship",
    "family_member": "family_member_given_name",
}


def _consultations(ctx: Context, row: Row) -> str:
    case = _case_for(ctx, row)
    if case is None:
        return SKIPPED
    v = row.values
    pairs = [
        (ConsultationsRowForm(v), {}),
        (
            PostCourseConsultationForm({"date": v["as_of"], "specialist": v["specialist"]}),
            CONSULTATION_COLUMNS,
        ),
    ]
    if v["kind"] == "family":
        member_form = FamilyMemberForm(
            {"given_name": v["family_member_given_name"], "relationship": v["family_member_relationship"]}
        )
        pairs.append((member_form, CONSULTATION_COLUMNS))
    cleaned = _bind_all(*pairs)
    kind, used = cleaned[0]["kind"], cleaned[0]["used"]
    day, specialist = cleaned[1]["date"], cleaned[1]["specialist"]
    if used == 0:
        return SKIPPED
    if kind == "family":
        member = _call(
            CONSULTATION_COLUMNS,
            rehabilitation_services.family_member_add,
            case=case,
            given_name=cleaned[2]["given_name"],
            family_name=cleaned[2]["family_name"],
            relationship=cleaned[2]["relationship"],
            actor=ctx.actor,
        )
        for _n in range(used):
            _call(
                CONSULTATION_COLUMNS,
                rehabilitation_services.family_consultation_log,
                case=case,
                family_member=member,
                date=day,
                specialist=specialist,
                notes=str(OPENING_BALANCE_NOTE),
                actor=ctx.actor,
                opening_balance=True,
            )
    else:
        for _n in range(used):
            _call(
                CONSULTATION_COLUMNS,
                rehabilitation_services.post_course_consultation_log,
                case=case,
                date=day,
                specialist=specialist,
                notes=str(OPENING_BALANCE_NOTE),
                actor=ctx.actor,
                opening_balance=True,
            )
    return CREATED


def _onward_referrals(ctx: Context, row: Row) -> str:
    case = _case_for(ctx, row)
    if case is None:
        return SKIPPED
    v = row.values
    partners = reintegration_selectors.partner_organisations()
    match = partners.filter(name=v["partner"]).first() if v["partner"] else None
    fields = ("needs_note", "legal_basis", "consent_given_on", "consent_how", "consent_covers", "other_basis")
    form = ReferForm(
        {"partner": match.pk if match else v["partner"], **{name: v[name] for name in fields}},
        partners=partners,
    )
    data = _bind(form, {})
    _call(
        {},
        reintegration_services.referral_create,
        case=case,
        actor=ctx.actor,
        **{name: data[name] for name in ("partner", *fields)},
    )
    ctx.cases[v["case_id"]] = _move_to(case, Case.Stage.REINTEGRATION, ctx.actor)
    return CREATED


HANDLERS: dict[str, Callable[[Context, Row], str]] = {
    "persons": _persons,
    "cases": _cases,
    "identification": _identification,
    "course": _course,
    "court_support": _court_support,
    "consultations": _consultations,
    "onward_referrals": _onward_referrals,
}
ID_COLUMNS = {"persons": "person_id", "cases": "case_id"}


# --- the run ----------------------------------------------------------------------------------


def import_workbook(
    *, book: Workbook, actor: User, dry_run: bool, progress: Callable[[int, int], None] | None = None
) -> Report:
    """Import (or, with dry_run, only try) every row; commit only a clean real run."""
    refusal = permissions.import_refusal(actor)
    if refusal is not None:
        raise PermissionDenied(refusal)
    report = Report(dry_run=dry_run, rows=book.row_count)
    for kind, column, message in book.problems:
        report.problems.append(Problem(kind=kind, row=None, column=column, message=message))
    ctx = Context(actor=actor, organisation=Organisation.objects.get(pk=actor.organisation_id))
    done = 0
    with transaction.atomic():
        for kind in KINDS:
            for row in book.sheets.get(kind, []):
                try:
                    with transaction.atomic():
                        outcome = HANDLERS[kind](ctx, row)
                except RowError as error:
                    _failed(ctx, row, kind)
                    for column, messages in error.errors.items():
                        for message in messages:
                            report.problems.append(
                                Problem(kind=kind, row=row.number, column=column, message=message)
                            )
                except ValidationError as error:
                    _failed(ctx, row, kind)
                    for message in _messages(error):
                        report.problems.append(Problem(kind=kind, row=row.number, column="", message=message))
                except PermissionDenied:
                    _failed(ctx, row, kind)
                    report.problems.append(
                        Problem(kind=kind, row=row.number, column="", message=str(NOT_ALLOWED_ON_CASE))
                    )
                else:
                    (report.created if outcome == CREATED else report.skipped)[kind] += 1
                done += 1
                if progress is not None:
                    progress(done, report.rows)
        if not report.committed:
            transaction.set_rollback(True)
    return report


def _failed(ctx: Context, row: Row, kind: str) -> None:
    column = ID_COLUMNS.get(kind)
    if column and row.values.get(column):
        ctx.failed.setdefault((kind, row.values[column]), row.number)
