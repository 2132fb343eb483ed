"""The monitoring figures on a known data set, their scope per role, the query count, the Eurostat CSV."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Case, Organisation, Role
from monitoring import statistics
from monitoring.statistics import Period, suppress
from referrals.models import Referral
from rehabilitation.models import CourtSupportEntry, RehabilitationCourse
from reintegration.models import PartnerReferral
from services.models import AssistanceRecord, Identification
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

RIGA = ZoneInfo("Europe/Riga")
PERIOD = Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
D = datetime.date


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=RIGA)


def _case(org, person, *, opened_on, stage, status, closed_on=None):
    case = make_case(organisation=org, person=person, opened_on=opened_on)
    changes = {"stage": stage, "victim_status": status}
    if closed_on:
        changes["closed_at"] = at(closed_on)
    Case.objects.filter(pk=case.pk).update(**changes)
    case.refresh_from_db()
    return case


GROUND_DOCS = {
    "criminal_procedure_decision": {
        "cp_case_number": "12/2026",
        "cp_date": D(2026, 1, 5),
        "cp_body": "Valsts policija",
    },
    "law_enforcement_statement": {
        "le_institution": "Policija",
        "le_country": "LT",
        "le_number": "7",
        "le_date": D(2026, 1, 5),
    },
    "expert_commission_report": {
        "commission_date": D(2026, 1, 5),
        "commission_members": [{"name": "A B", "profession": "psihologs"}],
    },
}


def _identify(case, ground, on, *, proposer, decider):
    return Identification.objects.create(
        case=case,
        ground=ground,
        status="approved",
        proposed_by=proposer,
        decided_by=decider,
        decided_at=at(on),
        **GROUND_DOCS[ground],
    )


def _referral(org, by, *, submitted, case=None, forms=(), consent=True):
    return Referral.objects.create(
        organisation=org,
        created_by=by,
        status="accepted" if case else "submitted",
        consent=consent,
        submitted_at=at(submitted),
        case=case,
        forms_of_exploitation=list(forms),
        intake_organisation=case.organisation if case else None,
    )


@pytest.fixture
def data(mandated_ngo, other_ngo, caseworker, coordinator, police, border):
    ngo_lv = OrganisationFactory(name="Latvian NGO", kind=Organisation.Kind.NGO_LATVIAN)
    ngo_lv_user = UserFactory(organisation=ngo_lv, roles=[Role.FIRST_RESPONDER])
    other_coord = UserFactory(organisation=other_ngo, roles=[Role.COORDINATOR])
    other_worker = UserFactory(organisation=other_ngo, roles=[Role.CASEWORKER])
    cases = {}
    # A: Latvian (and Ukrainian), woman, adult, identified on a decision; police referred her, 9 days before.
    cases["A"] = a = _case(
        mandated_ngo,
        PersonFactory(sex="female", date_of_birth=D(1990, 1, 1), citizenships=["UA", "LV"]),
        opened_on=D(2026, 3, 2),
        stage="rehabilitation",
        status="identified",
    )
    _referral(police.organisation, police, submitted=D(2026, 3, 1), case=a, forms=["sexual"])
    _identify(a, "criminal_procedure_decision", D(2026, 3, 10), proposer=caseworker, decider=coordinator)
    AssistanceRecord.objects.create(
        case=a, kind="legal_aid", started_on=D(2026, 3, 15), arranged_by="Juristi", recorded_by=caseworker
    )
    RehabilitationCourse.objects.create(
        case=a, start_date=D(2026, 3, 12), last_day=D(2026, 9, 7), recorded_by=caseworker
    )
    CourtSupportEntry.objects.create(
        case=a, date=D(2026, 3, 20), hours=Decimal("10.25"), activity="Sēde", recorded_by=caseworker
    )
    CourtSupportEntry.objects.create(
        case=a, date=D(2026, 7, 20), hours=Decimal("3.00"), activity="Sēde", recorded_by=caseworker
    )
    # B: Ukrainian man, 17 when identified (18 today), a statement; border guard, 19 days.
    cases["B"] = b = _case(
        mandated_ngo,
        PersonFactory(sex="male", date_of_birth=D(2008, 5, 1), citizenships=["UA"]),
        opened_on=D(2026, 4, 2),
        stage="identification",
        status="identified",
    )
    _referral(
        border.organisation, border, submitted=D(2026, 4, 1), case=b, forms=["forced_labour", "begging"]
    )
    _identify(b, "law_enforcement_statement", D(2026, 4, 20), proposer=caseworker, decider=coordinator)
    # C: German woman, estimated 17, presumed; a Latvian NGO referred her.
    cases["C"] = c = _case(
        mandated_ngo,
        PersonFactory(
            sex="female",
            date_of_birth=None,
            estimated_age=17,
            estimated_age_on=D(2026, 2, 1),
            citizenships=["DE"],
        ),
        opened_on=D(2026, 2, 1),
        stage="identification",
        status="presumed",
    )
    _referral(ngo_lv, ngo_lv_user, submitted=D(2026, 1, 30), case=c, forms=["sexual"])
    # D: nothing known, presumed, no referral.
    cases["D"] = _case(
        mandated_ngo,
        PersonFactory(sex="unknown", date_of_birth=None, citizenships=[]),
        opened_on=D(2026, 5, 5),
        stage="referral",
        status="presumed",
    )
    # E: found not to be a victim, closed in the period: a case by stage, not a victim.
    cases["E"] = _case(
        mandated_ngo,
        PersonFactory(citizenships=["LV"]),
        opened_on=D(2026, 1, 10),
        stage="closed",
        status="not_identified",
        closed_on=D(2026, 3, 1),
    )
    # F: opened last year, identified in the period by the Commission, referred 56 days before.
    cases["F"] = f = _case(
        mandated_ngo,
        PersonFactory(citizenships=["LV"]),
        opened_on=D(2025, 12, 1),
        stage="reintegration",
        status="identified",
    )
    _referral(police.organisation, police, submitted=D(2025, 11, 20), case=f, forms=["sexual"])
    _identify(f, "expert_commission_report", D(2026, 1, 15), proposer=caseworker, decider=coordinator)
    municipality_org = OrganisationFactory(
        name="Jelgava social service", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Jelgava"
    )
    PartnerReferral.objects.create(
        case=f,
        partner=municipality_org,
        needs_note="x",
        status="completed",
        referred_by=caseworker,
        referred_at=at(D(2026, 2, 1)),
        completed_by=caseworker,
        completed_at=at(D(2026, 5, 1)),
        outcome="Housed",
    )
    # G: the other NGO's: Latvian man, adult, identified on a decision, police referred him 31 days before.
    cases["G"] = g = _case(
        other_ngo,
        PersonFactory(sex="male", date_of_birth=D(1980, 1, 1), citizenships=["LV"]),
        opened_on=D(2026, 5, 2),
        stage="rehabilitation",
        status="identified",
    )
    _referral(police.organisation, police, submitted=D(2026, 5, 1), case=g, forms=["forced_criminality"])
    _identify(g, "criminal_procedure_decision", D(2026, 6, 1), proposer=other_worker, decider=other_coord)
    # H: closed before the period.
    cases["H"] = _case(
        mandated_ngo,
        PersonFactory(),
        opened_on=D(2025, 6, 1),
        stage="closed",
        status="presumed",
        closed_on=D(2025, 12, 15),
    )
    # An anonymous notification in the period, a draft, and a referral after the period.
    _referral(police.organisation, police, submitted=D(2026, 2, 2), consent=False)
    Referral.objects.create(organisation=police.organisation, created_by=police, status="draft")
    _referral(police.organisation, police, submitted=D(2026, 7, 5))
    return cases


def _rows(breakdown) -> dict:
    return {key: n for key, _label, n in breakdown.rows}


def test_figures_for_the_national_coordinator(national, data):
    figures = statistics.figures_for_user(user=national, period=PERIOD)
    b = figures.breakdowns
    assert _rows(b["referrals"]) == {
        "police": 3,
        "border_guard": 1,
        "consular": 0,
        "municipal_social_service": 0,
        "ngo_latvian": 1,
        "ngo_foreign": 0,
    }
    assert b["referrals"].extra == {"anonymous": 1}
    assert _rows(b["grounds"]) == {
        "criminal_procedure_decision": 2,
        "law_enforcement_statement": 1,
        "expert_commission_report": 1,
    }
    assert _rows(b["stages"]) == {
        "referral": 1,
        "identification": 2,
        "rehabilitation": 2,
        "reintegration": 1,
        "follow_up": 0,
        "closed": 1,
    }
    assert _rows(b["status"]) == {"identified": 3, "presumed": 2}
    assert _rows(b["sex"]) == {"female": 2, "male": 2, "other": 0, "unknown": 1}
    assert _rows(b["age"]) == {"child": 2, "adult": 2, "unknown": 1}
    assert _rows(b["citizenship"]) == {"latvian": 2, "eu": 1, "third_country": 1, "unknown": 1}
    assert _rows(b["exploitation"]) == {
        "sexual": 2,
        "forced_labour": 1,
        "forced_criminality": 1,
        "begging": 1,
        "marriage": 0,
        "organ_removal": 0,
        "other": 0,
        "none_recorded": 1,
    }
    # Referral to identification: 9, 19, 31 and 56 days.
    assert figures.median_days_to_identification == 25
    assert figures.identifications_timed == 4
    assert _rows(b["assistance"])["legal_aid"] == 1 and b["assistance"].total == 1
    assert _rows(b["reintegration"]) == {"active": 0, "withdrawn": 0, "completed": 1}
    limits = _rows(b["limits"])
    assert (limits["courses_started"], limits["court_cases"], limits["courses_limit_reached"]) == (1, 1, 0)
    assert b["limits"].extra == {"court_hours": Decimal("10.25")}  # the July hours are outside the period
    assert figures.headline == {"victims": 5, "identified": 3, "children": 2, "referrals": 5}


def test_figures_for_an_ngo_coordinator_are_their_ngos(coordinator, data):
    figures = statistics.figures_for_user(user=coordinator, period=PERIOD)
    b = figures.breakdowns
    assert _rows(b["status"]) == {"identified": 2, "presumed": 2}
    assert _rows(b["citizenship"]) == {"latvian": 1, "eu": 1, "third_country": 1, "unknown": 1}
    assert _rows(b["grounds"]) == {
        "criminal_procedure_decision": 1,
        "law_enforcement_statement": 1,
        "expert_commission_report": 1,
    }
    assert _rows(b["referrals"])["police"] == 1
    assert _rows(b["stages"])["rehabilitation"] == 1
    assert figures.median_days_to_identification == 19


def test_a_child_is_under_18_on_the_day_of_identification(national, data):
    person = data["B"].person
    assert person.age == 18  # an adult today...
    figures = statistics.figures_for_user(user=national, period=Period(D(2026, 4, 1), D(2026, 4, 30)))
    assert _rows(figures.breakdowns["age"]) == {
        "child": 1,
        "adult": 0,
        "unknown": 0,
    }  # ...a child when identified


def test_query_count_does_not_grow_with_the_cases(national, data, mandated_ngo, django_assert_num_queries):
    from cases.permissions import user_roles

    user_roles(national)  # the roles are read once per request, before the figures
    # 16 statements, and the transaction that turns PostgreSQL's JIT off for them (a savepoint
    # inside the test's transaction, SET LOCAL, its release).
    with django_assert_num_queries(19):
        statistics.figures_for_user(user=national, period=PERIOD)
    for n in range(20):
        make_case(organisation=mandated_ngo, opened_on=D(2026, 2, 1) + datetime.timedelta(days=n))
    with django_assert_num_queries(19):
        figures = statistics.figures_for_user(user=national, period=PERIOD)
    assert figures.headline["victims"] == 25


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["caseworker", "caseworker2", "police", "border", "municipality", "employment", "admin"]
)
def test_monitoring_is_404_for_other_roles(client, all_role_users, role):
    client.force_login(all_role_users[role])
    assert client.get(reverse("monitoring:index")).status_code == 404
    assert client.get(reverse("monitoring:export_csv")).status_code == 404


def test_monitoring_page_shows_tables_and_bars_without_inline_styles(client, national, data):
    client.force_login(national)
    response = client.get(reverse("monitoring:index"), {"from": "2026-01-01", "to": "2026-06-30"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Referrals by first-responder kind" in body and "Identifications by ground" in body
    assert '<th scope="row" class="fw-normal">Third-country national</th><td class="text-end">1</td>' in body
    assert "<svg" in body and "<rect" in body
    assert "style=" not in body and "<script>" not in body
    assert "/monitoring/export.csv?from=2026-01-01&amp;to=2026-06-30" in body


def test_period_end_before_start_is_refused_with_the_message(client, national):
    from monitoring.forms import PERIOD_ORDER

    client.force_login(national)
    response = client.get(reverse("monitoring:index"), {"from": "2026-06-30", "to": "2026-01-01"})
    assert response.status_code == 400
    assert str(PERIOD_ORDER) in response.content.decode()
    response = client.get(reverse("monitoring:export_csv"), {"from": "2026-06-30", "to": "2026-01-01"})
    assert response.status_code == 400 and response.content.decode() == str(PERIOD_ORDER)


def test_nav_item_and_dashboard_panel(client, national, coordinator, caseworker):
    client.force_login(national)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'href="/monitoring/">Monitoring</a>' in body
    assert 'id="monitoring-panel-h"' in body
    client.force_login(coordinator)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'href="/monitoring/">Monitoring</a>' in body and 'id="monitoring-panel-h"' not in body
    client.force_login(caseworker)
    assert 'href="/monitoring/"' not in client.get(reverse("dashboard")).content.decode()


# --- the Eurostat CSV -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, shown", [(0, "0"), (1, "c"), (2, "c"), (3, "c"), (4, "c"), (5, "5"), (6, "6"), (120, "120")]
)
def test_small_counts_are_suppressed(n, shown):
    assert suppress(n) == shown


def _csv(client, **params):
    response = client.get(reverse("monitoring:export_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[0], {(r[2], r[3]): r[4:] for r in rows[1:]}


def test_csv_has_the_eurostat_breakdowns_with_small_counts_suppressed(client, national, data):
    client.force_login(national)
    header, rows = _csv(client, **{"from": "2026-01-01", "to": "2026-06-30"})
    assert header == [
        "period_from",
        "period_to",
        "breakdown",
        "category",
        "identified",
        "presumed",
        "registered",
    ]
    # identified, presumed, registered: 3 and 2 are withheld ("c"); their sum 5 is shown (it pins
    # neither); 0 stays 0.
    assert rows[("total", "total")] == ["c", "c", "5"]
    assert rows[("sex", "female")] == ["c", "c", "c"]
    assert rows[("sex", "other")] == ["0", "0", "0"]
    assert rows[("age_group", "child")] == ["c", "c", "c"]
    assert rows[("age_group", "adult")] == ["c", "0", "c"]
    assert rows[("citizenship", "eu")] == ["0", "c", "c"]
    assert rows[("form_of_exploitation", "sexual")] == ["c", "c", "c"]
    assert rows[("form_of_exploitation", "marriage")] == ["0", "0", "0"]
    assert {key[0] for key in rows} == {"total", "sex", "age_group", "citizenship", "form_of_exploitation"}


def test_csv_shows_five_and_more_as_numbers(client, national, mandated_ngo):
    for n in range(6):
        make_case(
            organisation=mandated_ngo,
            opened_on=D(2026, 2, 1 + n),
            person=PersonFactory(sex="female", citizenships=["LV"]),
        )
    client.force_login(national)
    _header, rows = _csv(client, **{"from": "2026-01-01", "to": "2026-06-30"})
    assert rows[("total", "total")] == ["0", "6", "6"]
    assert rows[("sex", "female")] == ["0", "6", "6"]
    assert rows[("citizenship", "latvian")] == ["0", "6", "6"]
    assert rows[("age_group", "adult")] == ["0", "6", "6"]


def test_csv_of_an_ngo_coordinator_counts_their_ngo_only(client, coordinator, data):
    client.force_login(coordinator)
    _header, rows = _csv(client, **{"from": "2026-01-01", "to": "2026-06-30"})
    assert rows[("total", "total")] == ["c", "c", "c"]
    assert rows[("form_of_exploitation", "forced_criminality")] == ["0", "0", "0"]


# --- the API ----------------------------------------------------------------------------------


def test_api_figures_for_the_national_coordinator(client, national, data):
    client.force_login(national)
    response = client.get("/api/v1/monitoring/figures/", {"from": "2026-01-01", "to": "2026-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["headline"] == {"victims": 5, "identified": 3, "children": 2, "referrals": 5}
    assert body["median_days_to_identification"] == 25
    citizenship = {row["key"]: row["count"] for row in body["breakdowns"]["citizenship"]["rows"]}
    assert citizenship == {"latvian": 2, "eu": 1, "third_country": 1, "unknown": 1}
    assert body["breakdowns"]["limits"]["extra"] == {"court_hours": "10.25"}


def test_api_figures_scope_and_refusals(client, coordinator, caseworker, data):
    client.force_login(coordinator)
    body = client.get("/api/v1/monitoring/figures/", {"from": "2026-01-01", "to": "2026-06-30"}).json()
    assert body["headline"]["victims"] == 4
    response = client.get("/api/v1/monitoring/figures/", {"from": "2026-06-30", "to": "2026-01-01"})
    assert response.status_code == 400
    from monitoring.forms import PERIOD_ORDER

    assert response.json() == {"to": [str(PERIOD_ORDER)]}
    client.force_login(caseworker)
    assert client.get("/api/v1/monitoring/figures/").status_code == 404


def test_csv_in_the_semicolon_form_a_latvian_spreadsheet_opens(client, national, data):
    client.force_login(national)
    plain = client.get(reverse("monitoring:export_csv"), {"from": "2026-01-01", "to": "2026-06-30"})
    response = client.get(
        reverse("monitoring:export_csv"), {"from": "2026-01-01", "to": "2026-06-30", "sep": "semicolon"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == list(csv.reader(io.StringIO(plain.content.decode())))
    page = client.get(
        reverse("monitoring:index"), {"from": "2026-01-01", "to": "2026-06-30"}
    ).content.decode()
    assert "sep=semicolon" in page
