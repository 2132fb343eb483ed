"""Correcting and voiding court-support hours (cases.corrections over this app's rules): the 150
hours re-checked under the lock, a voided entry's hours come back, history keeps both versions,
the timeline shows it, pages and API answer alike and are in the OpenAPI schema."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import corrections
from cases.models import EntryCorrection
from cases.selectors import case_timeline
from rehabilitation import selectors, services
from rehabilitation.models import CourtSupportEntry

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _log(case, hours, actor, activity="Hearing"):
    return services.court_support_log(
        case=case, date=timezone.localdate(), hours=hours, activity=activity, actor=actor
    )


def _hours_used(case) -> Decimal:
    return selectors.entitlements_for_case(case=case).court_hours_used


def _values(entry, **changes):
    return {"date": entry.date, "hours": entry.hours, "activity": entry.activity, **changes}


def test_void_gives_the_hours_back_and_keeps_the_history(rcase, caseworker):
    _log(rcase, "140.00", caseworker)
    wrong = _log(rcase, "8.00", caseworker, activity="Logged on the wrong case")
    assert _hours_used(rcase) == Decimal("148.00")

    services.court_support_void(entry=wrong, reason="Belongs to another case", actor=caseworker)

    wrong.refresh_from_db()
    assert wrong.voided_at is not None and wrong.voided_by == caseworker
    assert wrong.void_reason == "Belongs to another case"
    assert _hours_used(rcase) == Decimal("140.00")
    # The 8 hours can be logged again.
    _log(rcase, "10.00", caseworker)
    assert _hours_used(rcase) == Decimal("150.00")
    last = wrong.history.order_by("-history_date").first()
    assert last.history_user == caseworker and last.history_change_reason == "Belongs to another case"
    assert wrong.history.count() == 2  # the entry as logged and as voided


def test_void_needs_a_reason_and_cannot_be_repeated(rcase, caseworker):
    entry = _log(rcase, "1.00", caseworker)
    with pytest.raises(Exception) as refused:
        services.court_support_void(entry=entry, reason="  ", actor=caseworker)
    assert str(corrections.VOID_REASON_NEEDED) in str(refused.value)
    services.court_support_void(entry=entry, reason="Duplicate", actor=caseworker)
    with pytest.raises(Exception) as again:
        services.court_support_void(entry=entry, reason="Duplicate", actor=caseworker)
    assert "a voided entry cannot be changed" in str(again.value)
    with pytest.raises(Exception) as correct_voided:
        services.court_support_correct(
            entry=entry, reason="More", actor=caseworker, **_values(entry, hours=Decimal("2.00"))
        )
    assert "a voided entry cannot be changed" in str(correct_voided.value)


def test_correction_rechecks_the_150_hours_counting_the_other_entries(rcase, caseworker):
    _log(rcase, "140.00", caseworker)
    entry = _log(rcase, "5.00", caseworker)
    with pytest.raises(Exception) as refused:
        services.court_support_correct(
            entry=entry, reason="Was longer", actor=caseworker, **_values(entry, hours=Decimal("12.00"))
        )
    assert "10.00 hours of court support remain; this entry asks for 12.00 hours." in str(refused.value)
    entry.refresh_from_db()
    assert entry.hours == Decimal("5.00") and entry.corrected_at is None

    services.court_support_correct(
        entry=entry, reason="Was longer", actor=caseworker, **_values(entry, hours=Decimal("10.00"))
    )
    entry.refresh_from_db()
    assert entry.hours == Decimal("10.00") and entry.corrected_at is not None
    old, new = entry.history.order_by("history_date")
    assert (old.hours, new.hours) == (Decimal("5.00"), Decimal("10.00"))
    assert new.history_user == caseworker and new.history_change_reason == "Was longer"
    assert _hours_used(rcase) == Decimal("150.00")


def test_correction_refuses_what_a_new_entry_refuses(rcase, caseworker):
    entry = _log(rcase, "1.00", caseworker)
    with pytest.raises(Exception) as quarter:
        services.court_support_correct(
            entry=entry, reason="x", actor=caseworker, **_values(entry, hours=Decimal("1.10"))
        )
    assert str(services.QUARTER_HOURS) in str(quarter.value)
    with pytest.raises(Exception) as future:
        services.court_support_correct(
            entry=entry, reason="x", actor=caseworker, **_values(entry, date=timezone.localdate() + D(days=1))
        )
    assert str(services.DATE_IN_FUTURE) in str(future.value)
    with pytest.raises(Exception) as no_reason:
        services.court_support_correct(
            entry=entry, reason="", actor=caseworker, **_values(entry, hours=Decimal("2"))
        )
    assert str(corrections.REASON_NEEDED) in str(no_reason.value)
    with pytest.raises(Exception) as unchanged:
        services.court_support_correct(entry=entry, reason="x", actor=caseworker, **_values(entry))
    assert str(corrections.NOTHING_CHANGED) in str(unchanged.value)


def test_only_whoever_may_write_corrects(rcase, caseworker2, national):
    from django.core.exceptions import PermissionDenied

    entry = CourtSupportEntry.objects.create(
        case=rcase, date=timezone.localdate(), hours=Decimal("1.00"), activity="x", recorded_by=national
    )
    for user in (caseworker2, national):
        with pytest.raises(PermissionDenied):
            services.court_support_void(entry=entry, reason="no", actor=user)
    entry.refresh_from_db()
    assert entry.voided_at is None


def test_timeline_shows_the_correction_and_the_void(rcase, caseworker):
    entry = _log(rcase, "1.00", caseworker)
    services.court_support_correct(
        entry=entry, reason="Typed 1 for 2", actor=caseworker, **_values(entry, hours=Decimal("2.00"))
    )
    services.court_support_void(entry=entry, reason="Wrong case", actor=caseworker)
    timeline = case_timeline(case=rcase)
    corrected = next(e for e in timeline if e.title == "Entry corrected: Court support entry")
    voided = next(e for e in timeline if e.title == "Entry voided: Court support entry")
    assert corrected.reason == "Typed 1 for 2" and corrected.details == ["Hours changed"]
    assert voided.reason == "Wrong case" and voided.actor == caseworker.display_name
    assert EntryCorrection.objects.filter(case=rcase).count() == 2


def test_voided_entry_stops_counting_in_the_daily_job(rcase, caseworker):
    from cases.models import Alert
    from rehabilitation import jobs

    entry = CourtSupportEntry.objects.create(
        case=rcase, date=timezone.localdate(), hours=Decimal("130.00"), activity="x", recorded_by=caseworker
    )
    services.court_support_void(entry=entry, reason="Wrong case", actor=caseworker)
    jobs.enforce_limits(today=timezone.localdate())
    assert not Alert.objects.filter(case=rcase, kind=Alert.Kind.COURT_HOURS_80).exists()


# --- pages ------------------------------------------------------------------------------------


def test_pages_correct_and_void_with_the_messages(client, rcase, caseworker):
    _log(rcase, "140.00", caseworker)
    entry = _log(rcase, "5.00", caseworker)
    client.force_login(caseworker)
    page = client.get(rcase.get_absolute_url()).content.decode()
    correct_url = reverse("rehabilitation:court_support_correct", args=[entry.pk])
    void_url = reverse("rehabilitation:court_support_void", args=[entry.pk])
    assert correct_url in page and void_url in page

    form = client.get(correct_url)
    assert form.status_code == 200 and 'value="5.00"' in form.content.decode()
    today = timezone.localdate().isoformat()
    refused = client.post(
        correct_url, {"date": today, "hours": "11.00", "activity": "Hearing", "reason": "x"}
    )
    assert refused.status_code == 400
    assert "10.00 hours of court support remain; this entry asks for 11.00 hours." in refused.content.decode()
    no_reason = client.post(
        correct_url, {"date": today, "hours": "6.00", "activity": "Hearing", "reason": ""}
    )
    assert no_reason.status_code == 400 and "This field is required." in no_reason.content.decode()
    done = client.post(correct_url, {"date": today, "hours": "6.00", "activity": "Hearing", "reason": "x"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal("6.00")

    assert client.post(void_url, {"reason": ""}).status_code == 400
    assert client.post(void_url, {"reason": "Wrong case"}).status_code == 302
    assert _hours_used(rcase) == Decimal("140.00")
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert "Wrong case" in page and correct_url not in page
    assert "Entry voided: Court support entry" in page


def test_pages_are_404_out_of_scope_and_403_for_a_reader(client, rcase, caseworker, caseworker2, national):
    entry = _log(rcase, "1.00", caseworker)
    url = reverse("rehabilitation:court_support_void", args=[entry.pk])
    client.force_login(caseworker2)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(national)
    assert client.get(url).status_code == 403
    assert client.get(reverse("rehabilitation:court_support_void", args=[987654])).status_code == 404
    entry.refresh_from_db()
    assert entry.voided_at is None


# --- API --------------------------------------------------------------------------------------


def test_api_corrects_and_voids_with_the_same_messages(rcase, caseworker, caseworker2, national):
    _log(rcase, "140.00", caseworker)
    entry = _log(rcase, "5.00", caseworker)
    api = _api(caseworker)
    url = f"/api/v1/entries/court-support/{entry.pk}/"
    refused = api.post(url + "correct/", {"hours": "11.00", "reason": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["hours"] == [
        "10.00 hours of court support remain; this entry asks for 11.00 hours."
    ]
    assert api.post(url + "correct/", {"hours": "6.00"}, format="json").json() == {
        "reason": [str(corrections.REASON_NEEDED)]
    }
    done = api.post(url + "correct/", {"hours": "6.00", "reason": "Longer"}, format="json")
    assert done.status_code == 200 and done.json()["hours"] == "6.00" and done.json()["corrected_at"]
    assert _api(caseworker2).post(url + "void/", {"reason": "x"}, format="json").status_code == 404
    assert _api(national).post(url + "void/", {"reason": "x"}, format="json").status_code == 403
    voided = api.post(url + "void/", {"reason": "Wrong case"}, format="json")
    assert voided.status_code == 200 and voided.json()["void_reason"] == "Wrong case"
    listed = api.get(f"/api/v1/cases/{rcase.reference}/court-support/").json()
    assert {row["void_reason"] for row in listed} == {"", "Wrong case"}
    case = api.get(f"/api/v1/cases/{rcase.reference}/").json()
    assert case["entitlements"]["court_support"]["hours_used"] == "140.00"


def test_the_schema_has_the_correct_and_void_routes_of_every_kind(caseworker):
    schema = _api(caseworker).get("/api/schema/", {"format": "json"})
    paths = schema.json()["paths"] if schema["content-type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    for kind in corrections.kinds():
        for verb in ("correct", "void"):
            assert f"/api/v1/entries/{kind.slug}/{{id}}/{verb}/" in paths or (
                f"/api/v1/entries/{kind.slug}/{{pk}}/{verb}/" in paths
            ), (kind.slug, verb)
    assert "court-support" in {k.slug for k in corrections.kinds()}


@pytest.mark.parametrize("rows", [3, 30])
def test_court_support_list_api_query_count_with_voided_rows(
    rcase, caseworker, django_assert_num_queries, rows
):
    for i in range(rows):
        entry = CourtSupportEntry.objects.create(
            case=rcase, date=timezone.localdate(), hours=Decimal("1.00"), activity="x", recorded_by=caseworker
        )
        if i % 2:
            services.court_support_void(entry=entry, reason="Wrong", actor=caseworker)
    api = _api(caseworker)
    api.get(f"/api/v1/cases/{rcase.reference}/court-support/")
    # The same as before voids existed: the user's roles and grants, the case, its read log, the
    # entries (voided or not) in one query; the same for 3 and 30 rows.
    with django_assert_num_queries(6):
        response = api.get(f"/api/v1/cases/{rcase.reference}/court-support/")
    assert len(response.json()) == rows


# --- the race: a correction and a new entry at 148 hours --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_correction_and_a_new_entry_cannot_both_pass_150(mandated_ngo, caseworker):
    from django.db import close_old_connections

    from tests.rehabilitation.factories import identified_case

    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker])
    _log(case, "146.00", caseworker)
    entry = _log(case, "2.00", caseworker)
    barrier = threading.Barrier(2)
    errors = []

    def correct():
        try:
            barrier.wait()
            services.court_support_correct(
                entry=entry, reason="Longer", actor=caseworker, **_values(entry, hours=Decimal("4.00"))
            )
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    def new():
        try:
            barrier.wait()
            _log(case, "2.00", caseworker)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct), threading.Thread(target=new)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Whichever came second is refused: the correction (2.00 remain, it asks for 4.00) or the
    # new entry (all 150 used).
    assert len(errors) == 1
    assert "hours of court support remain" in str(errors[0]) or "hours of court support are used" in str(
        errors[0]
    )
    assert _hours_used(case) == Decimal("150.00")


# --- the other entries of the course and after it ---------------------------------------------


def _ended_course(case, actor, *, ended_days_ago):
    from tests.rehabilitation.factories import course_at_day

    course_at_day(case, 40 + ended_days_ago, actor=actor)
    ended_on = timezone.localdate() - D(days=ended_days_ago)
    return services.course_end(case=case, ended_on=ended_on, status="completed", actor=actor)


def test_a_voided_post_course_consultation_gives_one_of_the_five_back(rcase, caseworker):
    course = _ended_course(rcase, caseworker, ended_days_ago=10)
    entries = [
        services.post_course_consultation_log(
            case=rcase, date=course.ended_on + D(days=n + 1), specialist="lawyer", actor=caseworker
        )
        for n in range(5)
    ]
    with pytest.raises(Exception) as used:
        services.post_course_consultation_log(
            case=rcase, date=timezone.localdate(), specialist="lawyer", actor=caseworker
        )
    assert str(services.POST_COURSE_USED % {"limit": 5}) in str(used.value)
    services.post_course_consultation_void(
        entry=entries[0], reason="Was a family consultation", actor=caseworker
    )
    assert selectors.entitlements_for_case(case=rcase).post_course_used == 4
    services.post_course_consultation_log(
        case=rcase, date=timezone.localdate(), specialist="lawyer", actor=caseworker
    )
    # A correction is checked like a new entry: not on the course's last day.
    with pytest.raises(Exception) as not_after:
        services.post_course_consultation_correct(
            entry=entries[1], date=course.ended_on, specialist="lawyer", reason="Date", actor=caseworker
        )
    assert str(services.POST_COURSE_NOT_AFTER % {"end": course.ended_on.isoformat()}) in str(not_after.value)
    # ... and a correction of one of the five is not a sixth.
    services.post_course_consultation_correct(
        entry=entries[1],
        date=entries[1].date,
        specialist="psychologist",
        reason="Specialist",
        actor=caseworker,
    )


def test_a_voided_family_consultation_gives_one_of_the_five_back_and_the_api_corrects_the_member(
    mandated_ngo, caseworker
):
    from tests.factories import PersonFactory
    from tests.rehabilitation.factories import identified_case

    today = timezone.localdate()
    minor = PersonFactory(date_of_birth=today.replace(year=today.year - 16))
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=minor)
    mother = services.family_member_add(case=case, given_name="Inga", relationship="mother", actor=caseworker)
    father = services.family_member_add(
        case=case, given_name="Juris", relationship="father", actor=caseworker
    )
    entries = [
        services.family_consultation_log(
            case=case, family_member=mother, date=today, specialist="psychologist", actor=caseworker
        )
        for _ in range(5)
    ]
    with pytest.raises(Exception) as used:
        services.family_consultation_log(
            case=case, family_member=mother, date=today, specialist="psychologist", actor=caseworker
        )
    assert str(services.FAMILY_USED % {"limit": 5}) in str(used.value)
    api = _api(caseworker)
    fixed = api.post(
        f"/api/v1/entries/family-consultations/{entries[0].pk}/correct/",
        {"family_member": father.pk, "reason": "It was the father"},
        format="json",
    )
    assert fixed.status_code == 200 and fixed.json()["family_member"] == father.pk
    voided = api.post(
        f"/api/v1/entries/family-consultations/{entries[1].pk}/void/", {"reason": "Duplicate"}, format="json"
    )
    assert voided.status_code == 200
    assert (
        api.get(f"/api/v1/cases/{case.reference}/").json()["entitlements"]["family_consultations"]["used"]
        == 4
    )
    services.family_consultation_log(
        case=case, family_member=mother, date=today, specialist="psychologist", actor=caseworker
    )


def test_course_service_and_material_corrections_stay_within_the_course(rcase, caseworker, client):
    from tests.rehabilitation.factories import course_at_day

    course = course_at_day(rcase, 20, actor=caseworker)
    service = services.course_service_log(
        case=rcase, date=course.start_date, specialist="lawyer", hours="1.00", actor=caseworker
    )
    with pytest.raises(Exception) as before:
        services.course_service_correct(
            entry=service,
            date=course.start_date - D(days=1),
            specialist="lawyer",
            hours="1.00",
            reason="Date",
            actor=caseworker,
        )
    assert str(services.BEFORE_COURSE % {"start": course.start_date.isoformat()}) in str(before.value)
    material = services.material_assistance_log(
        case=rcase, date=course.start_date, description="Food", amount_eur="20.00", actor=caseworker
    )
    with pytest.raises(Exception) as amount:
        services.material_assistance_correct(
            entry=material,
            date=material.date,
            description="Food",
            amount_eur="0",
            reason="x",
            actor=caseworker,
        )
    assert str(services.AMOUNT_POSITIVE) in str(amount.value)
    client.force_login(caseworker)
    for name, entry in (("course_services", service), ("material_assistance", material)):
        assert client.get(reverse(f"rehabilitation:{name}_correct", args=[entry.pk])).status_code == 200
    response = client.post(
        reverse("rehabilitation:material_assistance_correct", args=[material.pk]),
        {
            "date": material.date.isoformat(),
            "description": "Food and clothes",
            "amount_eur": "25,00",
            "reason": "Receipt",
        },
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.amount_eur == Decimal("25.00") and material.description == "Food and clothes"
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert reverse("rehabilitation:course_services_void", args=[service.pk]) in page
    assert "Entry corrected: Material assistance" in page
