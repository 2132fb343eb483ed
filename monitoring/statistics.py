"""The figures of the national monitoring, for a period, in set-based aggregate queries.

The one place this app reads the stage apps' models, and only to count (docs/decisions.md: monitoring is
the top floor). Every function runs a fixed number of queries, whatever the number of cases.

Definitions (each a product decision, see docs/decisions.md):
- a referral counts in the period it was submitted (drafts are not referrals yet);
- an identification counts in the period its approval was given;
- the cases by stage are the cases open at some time in the period, by their stage today;
- the victims of a period are the cases opened in it whose person is a presumed or an identified
  victim (not those found not to be victims); a child is under 18 on the day of identification,
  or on the day the case opened while they are not identified yet;
- the time from referral to identification runs from the referral's submission to the approval.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import statistics as pystats
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case as When_Case
from django.db.models import (
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Greatest,
    TruncDate,
)
from django.utils.translation import gettext_lazy as _

from cases.models import EU_EEA_CH, LATVIA, Case, Organisation, Person
from referrals.models import ANONYMOUS, Exploitation, Referral
from rehabilitation.models import (
    CourtSupportEntry,
    FamilyConsultation,
    PostCourseConsultation,
    RehabilitationCourse,
)
from reintegration.models import Assistance as MunicipalAssistance
from reintegration.models import EmploymentMeasure, PartnerReferral
from services.models import AssistanceRecord, Ground, Identification, ReflectionPeriod, ResidencePermit

from . import permissions


class AgeGroup:
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "unknown"
    CHOICES = [(CHILD, _("Child (under 18)")), (ADULT, _("Adult")), (UNKNOWN, _("Age unknown"))]


class CitizenshipGroup:
    LATVIAN = "latvian"
    EU = "eu"
    THIRD_COUNTRY = "third_country"
    UNKNOWN = "unknown"
    CHOICES = [
        (LATVIAN, _("Latvian")),
        (EU, _("Other EU, EEA or Swiss")),
        (THIRD_COUNTRY, _("Third-country national")),
        (UNKNOWN, _("Citizenship unknown")),
    ]


VICTIM_STATUSES = (Case.VictimStatus.IDENTIFIED, Case.VictimStatus.PRESUMED)
NO_FORM = "none_recorded"


def _identified_on():
    return Subquery(
        Identification.objects.filter(case=OuterRef("pk"), status="approved")
        .order_by("-decided_at")
        .annotate(day=TruncDate("decided_at"))
        .values("day")[:1],
        output_field=DateField(),
    )


def _month_day(name: str):
    return ExtractMonth(name) * 100 + ExtractDay(name)


def _full_years(since: str, on: str, md_since: str, md_on: str):
    """Whole years from `since` to `on`, counted as Person.age_on counts them."""
    return ExpressionWrapper(
        ExtractYear(on)
        - ExtractYear(since)
        - When_Case(When(Q(**{f"{md_on}__lt": F(md_since)}), then=Value(1)), default=Value(0)),
        output_field=IntegerField(),
    )


def _with_age_group(qs, ref: str = "age_on"):
    """Annotate age_group: a child (under 18 on the day `ref`), an adult, or unknown.

    The same rule as Person.age_on, written with year, month and day extraction only, so that it
    runs on PostgreSQL and on the demo's SQLite alike.
    """
    dob, est, est_on = "person__date_of_birth", "person__estimated_age", "person__estimated_age_on"
    qs = qs.annotate(_md_ref=_month_day(ref), _md_dob=_month_day(dob), _md_est=_month_day(est_on))
    qs = qs.annotate(
        _age_dob=_full_years(dob, ref, "_md_dob", "_md_ref"),
        # An estimate ages with the whole years since it was made (never backwards).
        _age_est=ExpressionWrapper(
            F(est) + Greatest(_full_years(est_on, ref, "_md_est", "_md_ref"), Value(0)),
            output_field=IntegerField(),
        ),
    )
    return qs.annotate(
        age_group=When_Case(
            When(Q(**{f"{dob}__isnull": False, "_age_dob__lt": 18}), then=Value(AgeGroup.CHILD)),
            When(Q(**{f"{dob}__isnull": False}), then=Value(AgeGroup.ADULT)),
            When(
                Q(**{f"{est}__isnull": False, f"{est_on}__isnull": False, "_age_est__lt": 18}),
                then=Value(AgeGroup.CHILD),
            ),
            When(Q(**{f"{est}__isnull": False, f"{est_on}__isnull": False}), then=Value(AgeGroup.ADULT)),
            default=Value(AgeGroup.UNKNOWN),
            output_field=CharField(),
        )
    )


def _codes_regex(codes) -> str:
    return r"(^|,)(" + "|".join(sorted(codes)) + r")(,|$)"


def _citizenship_group():
    # The citizenships are stored as "LV,UA"; the text is matched without loading each person.
    return When_Case(
        When(cit__regex=_codes_regex({LATVIA}), then=Value(CitizenshipGroup.LATVIAN)),
        When(cit__regex=_codes_regex(EU_EEA_CH - {LATVIA}), then=Value(CitizenshipGroup.EU)),
        When(~Q(cit="") | Q(person__stateless=True), then=Value(CitizenshipGroup.THIRD_COUNTRY)),
        default=Value(CitizenshipGroup.UNKNOWN),
        output_field=CharField(),
    )


@dataclass
class Period:
    start: datetime.date
    end: datetime.date


@dataclass
class Breakdown:
    """One table: (key, label, count) rows, and the largest count for the bars."""

    title: str
    rows: list[tuple[str, str, int]]
    extra: dict = field(default_factory=dict)

    @property
    def max(self) -> int:
        return max([n for _k, _l, n in self.rows] + [1])

    @property
    def total(self) -> int:
        return sum(n for _k, _l, n in self.rows)


def _rows(choices, counts: dict) -> list[tuple[str, str, int]]:
    return [(key, str(label), int(counts.get(key, 0))) for key, label in choices]


def _org_id(user) -> int | None:
    scope = permissions.monitoring_case_filter(user)
    if scope is None:
        raise PermissionError
    return None if scope == Q() else user.organisation_id


def _case_scope(org_id, prefix: str = "") -> Q:
    return Q() if org_id is None else Q(**{f"{prefix}organisation_id": org_id})


def _without_jit(fn):
    """Run the figures' statements with PostgreSQL's JIT compiler off.

    Their correlated subqueries (the identification date, three times in the age group) are
    estimated at millions of cost units for half a second of index probes, so PostgreSQL compiles
    them: at a million cases 6.5 s of a 6.5 s statement was compilation (docs/performance.md).
    Nothing in them gains from compiled expressions; the setting is local to the transaction.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if connection.vendor != "postgresql":
            return fn(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            return fn(*args, **kwargs)

    return wrapper


# --- the victims (also the Eurostat export) ---------------------------------------------------


def victims_queryset(*, org_id, period: Period):
    return _with_age_group(
        Case.objects.filter(
            _case_scope(org_id),
            opened_on__range=(period.start, period.end),
            victim_status__in=VICTIM_STATUSES,
        )
        .annotate(age_on=Coalesce(_identified_on(), F("opened_on"), output_field=DateField()))
        .annotate(cit=Cast("person__citizenships", CharField()))
        .annotate(citizenship_group=_citizenship_group())
    )


def victim_cells(*, org_id, period: Period) -> list[dict]:
    """Counts by (status, sex, age group, citizenship group): one grouped query."""
    return list(
        victims_queryset(org_id=org_id, period=period)
        .values("victim_status", "person__sex", "age_group", "citizenship_group")
        .annotate(n=Count("pk"))
        .order_by()
    )


def exploitation_counts(*, org_id, period: Period) -> dict[tuple[str, str], int]:
    """Victims by (status, form of exploitation) from the accepted referrals; one query.

    A person exploited in several forms counts once in each form. One pass over the cases of the
    period joined to their accepted referrals, each form a filtered distinct count: not an
    EXISTS per case and form, which at a million cases is 33 index probes a case (seconds).
    """
    forms_text = Cast("accepted__forms_of_exploitation", TextField())
    aggregates = {
        f"form_{form}": Count("pk", distinct=True, filter=Q(forms_text__contains=f'"{form}"'))
        for form, _label in Exploitation.choices
    }
    rows = (
        Case.objects.filter(
            _case_scope(org_id),
            opened_on__range=(period.start, period.end),
            victim_status__in=VICTIM_STATUSES,
        )
        .annotate(accepted=FilteredRelation("referrals", condition=Q(referrals__status="accepted")))
        .annotate(forms_text=forms_text)
        .values("victim_status")
        .annotate(
            cases=Count("pk", distinct=True),
            with_form=Count("pk", distinct=True, filter=Q(forms_text__contains='"')),
            **aggregates,
        )
        .order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    for status in VICTIM_STATUSES:
        for form, _label in Exploitation.choices:
            counts[(status, form)] = 0
        counts[(status, NO_FORM)] = 0
    for row in rows:
        status = row["victim_status"]
        for form, _label in Exploitation.choices:
            counts[(status, form)] = row[f"form_{form}"]
        counts[(status, NO_FORM)] = row["cases"] - row["with_form"]
    return counts


def exploitation_choices() -> list[tuple[str, str]]:
    return [*Exploitation.choices, (NO_FORM, str(_("No form recorded")))]


# --- the monitoring page ----------------------------------------------------------------------


@dataclass
class Figures:
    period: Period
    breakdowns: dict[str, Breakdown]
    median_days_to_identification: float | None
    identifications_timed: int
    headline: dict


def _marginal(cells: list[dict], key: str) -> dict:
    out: dict = {}
    for cell in cells:
        out[cell[key]] = out.get(cell[key], 0) + cell["n"]
    return out


def figures_for_user(*, user, period: Period) -> Figures:
    return figures_for_scope(org_id=_org_id(user), period=period)


@_without_jit
def figures_for_scope(*, org_id: int | None, period: Period) -> Figures:
    """The figures of one NGO (org_id) or of the whole country (None)."""
    start, end = period.start, period.end
    b: dict[str, Breakdown] = {}

    scope = Q() if org_id is None else Q(intake_organisation_id=org_id) | Q(case__organisation_id=org_id)
    rows = (
        Referral.objects.filter(scope, submitted_at__date__range=(start, end))
        .exclude(status=Referral.Status.DRAFT)
        .values("organisation__kind")
        .annotate(n=Count("pk"), anonymous=Count("pk", filter=ANONYMOUS))
        .order_by()
    )
    by_kind = {r["organisation__kind"]: r["n"] for r in rows}
    kinds = [
        (k, label)
        for k, label in Organisation.Kind.choices
        if k in Organisation.FIRST_RESPONDER_KINDS or by_kind.get(k)
    ]
    b["referrals"] = Breakdown(
        str(_("Referrals by first-responder kind")),
        _rows(kinds, by_kind),
        {"anonymous": sum(r["anonymous"] for r in rows)},
    )

    approved = Identification.objects.filter(
        _case_scope(org_id, "case__"), status="approved", decided_at__date__range=(start, end)
    )
    rows = approved.values("ground").annotate(n=Count("pk")).order_by()
    b["grounds"] = Breakdown(
        str(_("Identifications by ground")), _rows(Ground.choices, {r["ground"]: r["n"] for r in rows})
    )
    submitted = Subquery(
        Referral.objects.filter(case=OuterRef("case"), status="accepted")
        .order_by("submitted_at")
        .annotate(day=TruncDate("submitted_at"))
        .values("day")[:1],
        output_field=DateField(),
    )
    pairs = (
        approved.annotate(referred_on=submitted, identified_on=TruncDate("decided_at"))
        .filter(referred_on__isnull=False)
        .values_list("referred_on", "identified_on")
    )
    days = [(identified - referred).days for referred, identified in pairs]
    timed = len(days)
    median = pystats.median(days) if days else None

    stage_rows = (
        Case.objects.filter(_case_scope(org_id), opened_on__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=start))
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    b["stages"] = Breakdown(
        str(_("Cases by stage")), _rows(Case.Stage.choices, {r["stage"]: r["n"] for r in stage_rows})
    )

    cells = victim_cells(org_id=org_id, period=period)
    b["status"] = Breakdown(
        str(_("Victims by status")),
        _rows([(s, Case.VictimStatus(s).label) for s in VICTIM_STATUSES], _marginal(cells, "victim_status")),
    )
    b["sex"] = Breakdown(str(_("Victims by sex")), _rows(Person.Sex.choices, _marginal(cells, "person__sex")))
    b["age"] = Breakdown(
        str(_("Victims by age group")), _rows(AgeGroup.CHOICES, _marginal(cells, "age_group"))
    )
    b["citizenship"] = Breakdown(
        str(_("Victims by citizenship")),
        _rows(CitizenshipGroup.CHOICES, _marginal(cells, "citizenship_group")),
    )
    forms = exploitation_counts(org_id=org_id, period=period)
    totals = {
        form: sum(forms.get((s, form), 0) for s in VICTIM_STATUSES) for form, _l in exploitation_choices()
    }
    b["exploitation"] = Breakdown(
        str(_("Victims by form of exploitation")), _rows(exploitation_choices(), totals)
    )

    rows = (
        AssistanceRecord.objects.counted()
        .filter(_case_scope(org_id, "case__"), started_on__range=(start, end))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    b["assistance"] = Breakdown(
        str(_("State-funded assistance begun")),
        _rows(AssistanceRecord.Kind.choices, {r["kind"]: r["n"] for r in rows}),
    )
    reflection = ReflectionPeriod.objects.filter(_case_scope(org_id, "case__")).aggregate(
        started=Count("pk", filter=Q(start_date__range=(start, end))),
        ended=Count("pk", filter=Q(ended_on__range=(start, end))),
    )
    permits = ResidencePermit.objects.filter(
        _case_scope(org_id, "case__"), decision="granted", decision_on__range=(start, end)
    ).count()
    courses = RehabilitationCourse.objects.filter(_case_scope(org_id, "case__")).aggregate(
        started=Count("pk", filter=Q(start_date__range=(start, end))),
        limit_reached=Count("pk", filter=Q(status="limit_reached", ended_on__range=(start, end))),
    )
    court_hours = (
        CourtSupportEntry.objects.counted()
        .filter(_case_scope(org_id, "case__"), date__range=(start, end))
        .aggregate(hours=Sum("hours"), cases=Count("case", distinct=True))
    )
    post_course = (
        PostCourseConsultation.objects.counted()
        .filter(_case_scope(org_id, "course__case__"), date__range=(start, end))
        .count()
    )
    family = (
        FamilyConsultation.objects.counted()
        .filter(_case_scope(org_id, "case__"), date__range=(start, end))
        .count()
    )
    b["limits"] = Breakdown(
        str(_("Limits and permits")),
        [
            ("courses_started", str(_("Rehabilitation courses begun")), courses["started"]),
            ("courses_limit_reached", str(_("Courses ended by the 180-day limit")), courses["limit_reached"]),
            ("post_course", str(_("Consultations after a course")), post_course),
            ("family", str(_("Family consultations")), family),
            ("court_cases", str(_("Cases given court support")), court_hours["cases"]),
            ("reflection_started", str(_("Reflection periods begun")), reflection["started"]),
            ("reflection_ended", str(_("Reflection periods ended")), reflection["ended"]),
            ("permits_granted", str(_("Residence permits granted")), permits),
        ],
        {"court_hours": court_hours["hours"] or 0},
    )

    rows = (
        PartnerReferral.objects.filter(_case_scope(org_id, "case__"), referred_at__date__range=(start, end))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    b["reintegration"] = Breakdown(
        str(_("Onward referrals by outcome")),
        _rows(PartnerReferral.Status.choices, {r["status"]: r["n"] for r in rows}),
    )
    rows = (
        EmploymentMeasure.objects.counted()
        .filter(_case_scope(org_id, "referral__case__"), started_on__range=(start, end))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    money = (
        MunicipalAssistance.objects.counted()
        .filter(_case_scope(org_id, "referral__case__"), granted_from__range=(start, end))
        .aggregate(n=Count("pk"), eur=Sum("amount_eur"))
    )
    b["employment"] = Breakdown(
        str(_("Employment measures")),
        _rows(EmploymentMeasure.Kind.choices, {r["kind"]: r["n"] for r in rows}),
        {"municipal_assistance": money["n"], "municipal_eur": money["eur"] or 0},
    )

    headline = {
        "victims": sum(c["n"] for c in cells),
        "identified": _marginal(cells, "victim_status").get(Case.VictimStatus.IDENTIFIED, 0),
        "children": _marginal(cells, "age_group").get(AgeGroup.CHILD, 0),
        "referrals": b["referrals"].total,
    }
    return Figures(period, b, median, timed, headline)


# --- the Eurostat export ----------------------------------------------------------------------


def suppress(n: int) -> str:
    """Counts of 1 to 4 are withheld ("c") so that nobody can be singled out; 0 stays 0.

    Primary suppression only: the published table also needs the secondary suppression of
    `eurostat_rows` (disclosure.py), or a withheld cell is one subtraction away.
    """
    from . import disclosure  # the solver (scipy) loads with the export, not with every page

    return disclosure.WITHHELD if 1 <= n <= disclosure.SMALL_MAX else str(n)


def _eurostat_breakdowns():
    out: list[tuple[str, str]] = [("total", "total")]
    for choices, breakdown in (
        (Person.Sex.choices, "sex"),
        (AgeGroup.CHOICES, "age_group"),
        (CitizenshipGroup.CHOICES, "citizenship"),
    ):
        out += [(breakdown, value) for value, _label in choices]
    out += [("form_of_exploitation", form) for form, _label in exploitation_choices()]
    return out


def eurostat_shape():
    """How the rows of the Eurostat table add up (what any reader of it knows)."""
    from . import disclosure

    rows = _eurostat_breakdowns()
    groups = tuple(
        tuple(i for i, (b, _c) in enumerate(rows) if b == breakdown)
        for breakdown in ("sex", "age_group", "citizenship")
    )
    forms = tuple(i for i, (b, _c) in enumerate(rows) if b == "form_of_exploitation")
    return disclosure.Shape(
        total=0, groups=groups, forms=forms, none_form=rows.index(("form_of_exploitation", NO_FORM))
    )


@_without_jit
def eurostat_counts(*, org_id, period: Period) -> list[list[int]]:
    """The exact counts of the Eurostat table: (identified, presumed, registered) per row."""
    cells = victim_cells(org_id=org_id, period=period)
    forms = exploitation_counts(org_id=org_id, period=period)
    identified, presumed = Case.VictimStatus.IDENTIFIED, Case.VictimStatus.PRESUMED
    keys = {"sex": "person__sex", "age_group": "age_group", "citizenship": "citizenship_group"}

    def count(status: str, breakdown: str, value: str) -> int:
        if breakdown == "form_of_exploitation":
            return forms.get((status, value), 0)
        key = keys.get(breakdown)
        return sum(c["n"] for c in cells if c["victim_status"] == status and (key is None or c[key] == value))

    table = []
    for breakdown, value in _eurostat_breakdowns():
        ident, pres = count(identified, breakdown, value), count(presumed, breakdown, value)
        table.append([ident, pres, ident + pres])
    return table


def eurostat_rows(*, user, period: Period) -> list[list[str]]:
    """The registered victims of the period, identified and presumed, by the Eurostat breakdowns,
    with primary and secondary suppression (both written "c") that holds against differencing the
    rows, columns and totals, and against the tables of the periods a day longer or shorter."""

    return eurostat_rows_for_scope(org_id=_org_id(user), period=period)


def eurostat_rows_for_scope(*, org_id: int | None, period: Period) -> list[list[str]]:
    from . import disclosure

    values, status = disclosure.protect_period(
        eurostat_shape(),
        period.start,
        period.end,
        lambda start, end: eurostat_counts(org_id=org_id, period=Period(start, end)),
    )
    shown = disclosure.render(values, status)
    return [
        [f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}", breakdown, category, *cells]
        for (breakdown, category), cells in zip(_eurostat_breakdowns(), shown, strict=True)
    ]


EUROSTAT_HEADER = [
    "period_from",
    "period_to",
    "breakdown",
    "category",
    "identified",
    "presumed",
    "registered",
]


# --- precomputed (cases/snapshots.py, docs/performance.md) ------------------------------------

FIGURES_SNAPSHOT = "monitoring_figures"
EUROSTAT_SNAPSHOT = "eurostat_rows"


def figures_to_data(figures: Figures) -> dict:
    return dataclasses.asdict(figures)


def figures_from_data(data: dict) -> Figures:
    period = Period(
        datetime.date.fromisoformat(data["period"]["start"]),
        datetime.date.fromisoformat(data["period"]["end"]),
    )
    breakdowns = {
        key: Breakdown(b["title"], [tuple(row) for row in b["rows"]], b["extra"])
        for key, b in data["breakdowns"].items()
    }
    return Figures(
        period,
        breakdowns,
        data["median_days_to_identification"],
        data["identifications_timed"],
        data["headline"],
    )


def _default_period() -> Period:
    from .forms import default_period

    return Period(*default_period())


def _produce_figures(org_id: int | None):
    period = _default_period()
    return figures_to_data(figures_for_scope(org_id=org_id, period=period)), period.start, period.end


def _produce_eurostat(org_id: int | None):
    period = _default_period()
    return eurostat_rows_for_scope(org_id=org_id, period=period), period.start, period.end


def register_snapshots() -> None:
    from cases.snapshots import register_snapshot

    register_snapshot(kind=FIGURES_SNAPSHOT, produce=_produce_figures, per_language=True)
    register_snapshot(kind=EUROSTAT_SNAPSHOT, produce=_produce_eurostat)


def _snapshot_for(kind: str, *, user, period: Period, language: str = ""):
    """The fresh snapshot of the user's scope for this period, or None (then computed live).

    Only the default period (this year up to today) is precomputed; a snapshot computed before
    midnight still serves the new day until the next refresh, and says so."""
    from cases.snapshots import snapshot_latest

    default = _default_period()
    if period.start != default.start or period.end != default.end:
        return None
    snapshot = snapshot_latest(kind=kind, organisation_id=_org_id(user), language=language)
    if snapshot is None or snapshot.period_start != period.start:
        return None
    return snapshot


def figures_precomputed_for_user(*, user, period: Period) -> tuple[Figures, datetime.datetime | None]:
    """The figures, and when they were computed (None: just now, for this request)."""
    from django.utils.translation import get_language

    snapshot = _snapshot_for(FIGURES_SNAPSHOT, user=user, period=period, language=get_language() or "")
    if snapshot is not None:
        return figures_from_data(snapshot.data), snapshot.computed_at
    return figures_for_user(user=user, period=period), None


def eurostat_rows_precomputed_for_user(
    *, user, period: Period
) -> tuple[list[list[str]], datetime.datetime | None]:
    snapshot = _snapshot_for(EUROSTAT_SNAPSHOT, user=user, period=period)
    if snapshot is not None:
        return snapshot.data, snapshot.computed_at
    return eurostat_rows(user=user, period=period), None
