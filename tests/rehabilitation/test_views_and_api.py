"""Pages and API: who sees what (in scope 200, out of scope 404), the same messages as 400s, the
notes the national coordinator must not see, the entitlements, and fixed query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Alert
from rehabilitation import permissions, services
from rehabilitation.models import CourseService, CourtSupportEntry
from rehabilitation.permissions import Action
from tests.factories import make_case
from tests.rehabilitation.factories import course_at_day

pytestmark = pytest.mark.django_db

D = datetime.timedelta
SECRET = "Sensitive free-text note 7731"
# The three case sections together (the user's permissions on the case read once per request;
# one grouped count of the consultations against the plan; the plan that counts, a voided one left
# out; the court-support hours and the family consultations used in one statement) and the
# dashboard panel (one query): the same for 3 and 30 rows.
QUERIES_SECTIONS = 18
QUERIES_PANEL = 1


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _log_hours(case, hours, actor):
    return services.court_support_log(
        case=case, date=timezone.localdate(), hours=hours, activity="Hearing", actor=actor
    )


# --- permissions ------------------------------------------------------------------------------


def test_role_action_matrix(rcase, all_role_users, coordinator):
    expected = {
        "caseworker": {Action.VIEW, Action.VIEW_NOTES, Action.RECORD, Action.ACKNOWLEDGE_ALERT},
        "coordinator": {Action.VIEW, Action.VIEW_NOTES, Action.RECORD, Action.ACKNOWLEDGE_ALERT},
        "national": {Action.VIEW},
        "caseworker2": set(),
        "other_ngo_worker": set(),
        "police": set(),
        "border": set(),
        "municipality": set(),
        "employment": set(),
        "admin": set(),
    }
    for name, user in all_role_users.items():
        allowed = {a for a in Action if permissions.can(user, a, rcase)}
        assert allowed == expected[name], name


# --- pages ------------------------------------------------------------------------------------


def test_case_page_shows_entitlements_with_progress_and_meter(client, rcase, caseworker):
    course_at_day(rcase, 10, actor=caseworker)
    _log_hours(rcase, "148.00", caseworker)
    client.force_login(caseworker)
    html = client.get(rcase.get_absolute_url()).content.decode()
    assert "<progress" in html and "<meter" in html and 'style="' not in html
    assert "day 10 of 180 · 170 remaining" in html
    assert "148.00 of 150.00 hours used · 2.00 remaining" in html


def test_national_coordinator_sees_the_course_but_not_the_notes(
    client, rcase, caseworker, coordinator, national
):
    course_at_day(rcase, 10, actor=caseworker)
    services.course_service_log(
        case=rcase,
        date=timezone.localdate(),
        specialist="psychologist",
        hours="1.00",
        notes=SECRET,
        actor=caseworker,
    )
    for user, sees in ((caseworker, True), (coordinator, True), (national, False)):
        client.force_login(user)
        html = client.get(rcase.get_absolute_url()).content.decode()
        assert "Consultations and services" in html
        assert (SECRET in html) is sees, user.username
        data = _api(user).get(f"/api/v1/cases/{rcase.reference}/course-services/").json()
        assert len(data) == 1 and ("notes" in data[0]) is sees and (SECRET in str(data)) is sees


def test_court_support_form_logs_and_refuses_with_the_message(client, rcase, caseworker):
    _log_hours(rcase, "148.00", caseworker)
    client.force_login(caseworker)
    url = reverse("rehabilitation:court_support_add", args=[rcase.reference])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"date": today, "hours": "2.00", "activity": "Hearing"})
    assert response.status_code == 302
    response = client.post(url, {"date": today, "hours": "0.25", "activity": "Hearing"})
    assert response.status_code == 400
    assert (
        "All 150.00 hours of court support are used; no more can be logged for this identification."
        in response.content.decode()
    )
    assert CourtSupportEntry.objects.filter(case=rcase).count() == 2


@pytest.mark.parametrize("language", ["en", "lv"])
def test_hours_accept_the_decimal_comma_in_every_language(client, rcase, caseworker, language):
    """The text "1,5" is one and a half hours on an English page as on a Latvian one (never 15); a value
    that is no number is refused with its own message and the typed text stays in the box."""
    from django.utils import translation

    client.force_login(caseworker)
    client.cookies["django_language"] = language
    url = reverse("rehabilitation:court_support_add", args=[rcase.reference])
    today = timezone.localdate().isoformat()
    assert client.post(url, {"date": today, "hours": "1,5", "activity": "Hearing"}).status_code == 302
    assert client.post(url, {"date": today, "hours": " 2.25 ", "activity": "Hearing"}).status_code == 302
    assert sorted(CourtSupportEntry.objects.filter(case=rcase).values_list("hours", flat=True)) == [
        Decimal("1.50"),
        Decimal("2.25"),
    ]
    refused = client.post(url, {"date": today, "hours": "1,5,0", "activity": "Hearing"})
    assert refused.status_code == 400
    with translation.override(language):
        message = str(translation.gettext("Enter the hours as a number in quarter hours, e.g. 1,5 or 1.5."))
    page = refused.content.decode()
    assert message in page and 'value="1,5,0"' in page
    assert CourtSupportEntry.objects.filter(case=rcase).count() == 2


def test_hours_box_shows_the_value_in_the_readers_form():
    from django.utils import translation

    from rehabilitation.forms import CourtSupportForm

    form = CourtSupportForm(initial={"hours": Decimal("1.50")})
    with translation.override("lv"):
        assert 'value="1,50"' in str(form["hours"]) and 'inputmode="decimal"' in str(form["hours"])
    with translation.override("en"):
        assert 'value="1.50"' in str(form["hours"])


def test_forms_are_404_out_of_scope_and_403_for_the_national_coordinator(
    client, rcase, caseworker2, national
):
    url = reverse("rehabilitation:court_support_add", args=[rcase.reference])
    client.force_login(caseworker2)
    assert client.get(url).status_code == 404
    client.force_login(national)
    assert client.get(url).status_code == 403


def test_every_form_page_renders_for_the_caseworker(client, rcase, caseworker):
    course_at_day(rcase, 10, actor=caseworker)
    services.family_member_add(case=rcase, given_name="Inga", relationship="mother", actor=caseworker)
    client.force_login(caseworker)
    for name in (
        "course_end",
        "plan",
        "service_add",
        "material_add",
        "post_course_add",
        "family_member_add",
        "family_consultation_add",
        "court_support_add",
    ):
        assert client.get(reverse(f"rehabilitation:{name}", args=[rcase.reference])).status_code == 200, name


def test_start_course_and_plan_through_the_pages(client, rcase, caseworker):
    client.force_login(caseworker)
    today = timezone.localdate()
    response = client.post(
        reverse("rehabilitation:course_start", args=[rcase.reference]), {"start_date": today.isoformat()}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("rehabilitation:plan", args=[rcase.reference]),
        {
            "goals": "Housing",
            "social_worker": 3,
            "psychologist": 5,
            "lawyer": 1,
            "medical": 0,
            "other": 0,
        },
    )
    assert response.status_code == 302
    plan = rcase.rehabilitation_courses.get().plan
    assert plan.planned_psychologist == 5 and plan.history.get().history_user == caseworker


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_case_page_and_dashboard_queries_are_the_same_for_3_and_30_rows(client, rcase, caseworker):
    """The whole page is measured (other apps' sections too), so the check is relative: the same
    number of queries with 3 and with 30 entries, consultations, alerts and family consultations."""
    from rehabilitation.models import FamilyConsultation

    course = course_at_day(rcase, 100, actor=caseworker)
    member = services.family_member_add(
        case=rcase, given_name="Inga", relationship="mother", actor=caseworker
    )

    def add(frm, to):
        for i in range(frm, to):
            CourtSupportEntry.objects.create(
                case=rcase,
                date=timezone.localdate(),
                hours=Decimal("1.00"),
                activity="x",
                recorded_by=caseworker,
            )
            CourseService.objects.create(
                course=course,
                date=course.start_date,
                specialist="lawyer",
                hours=Decimal("1.00"),
                recorded_by=caseworker,
            )
            Alert.objects.create(
                case=rcase, kind=Alert.Kind.COURSE_ENDS_SOON, due_on=course.start_date + D(days=i)
            )
            FamilyConsultation.objects.create(
                case=rcase,
                family_member=member,
                date=course.start_date,
                specialist="lawyer",
                recorded_by=caseworker,
            )

    client.force_login(caseworker)
    add(0, 3)
    client.get(rcase.get_absolute_url())  # warm the session and the content types
    counts_3 = (_count(client, rcase.get_absolute_url()), _count(client, "/"))
    add(3, 30)
    counts_30 = (_count(client, rcase.get_absolute_url()), _count(client, "/"))
    assert counts_3 == counts_30


# --- alerts on the case and the dashboard -----------------------------------------------------


def test_alert_shows_on_the_case_and_the_dashboard_and_is_acknowledged(
    client, rcase, caseworker, caseworker2
):
    course_at_day(rcase, 181, actor=caseworker)
    from rehabilitation import jobs

    jobs.enforce_limits()
    client.force_login(caseworker)
    dashboard = client.get("/").content.decode()
    assert "The rehabilitation course reached its 180 days" in dashboard and rcase.reference in dashboard
    alert = Alert.objects.get(case=rcase, kind=Alert.Kind.COURSE_LIMIT_REACHED)
    case_page = client.get(rcase.get_absolute_url()).content.decode()
    assert 'id="alerts-h"' in case_page

    client.force_login(caseworker2)
    assert client.post(reverse("rehabilitation:alert_acknowledge", args=[alert.pk])).status_code == 404
    assert rcase.reference not in client.get("/").content.decode()

    client.force_login(caseworker)
    response = client.post(
        reverse("rehabilitation:alert_acknowledge", args=[alert.pk]), {"next": "dashboard"}
    )
    assert response.status_code == 302 and response.url == "/"
    alert.refresh_from_db()
    assert alert.acknowledged_by == caseworker
    assert "The rehabilitation course reached its 180 days" not in client.get("/").content.decode()


def test_dashboard_alerts_show_the_deadline_days_left_and_name_nearest_first(rcase, caseworker, rf):
    from rehabilitation import views

    today = timezone.localdate()
    # A course warning raised today: the course's last day is 14 days away, not today.
    Alert.objects.create(case=rcase, kind=Alert.Kind.COURSE_ENDS_SOON, due_on=today)
    # A permit reminder raised 35 days ago: the permit expired 5 days ago.
    Alert.objects.create(case=rcase, kind=Alert.Kind.PERMIT_EXPIRES_SOON, due_on=today - D(days=35))
    # A reflection warning raised 2 days ago: 3 days left.
    Alert.objects.create(case=rcase, kind=Alert.Kind.REFLECTION_ENDS_SOON, due_on=today - D(days=2))
    request = rf.get("/")
    request.user = caseworker
    alerts = views.alerts_panel_context(request)["alerts"]
    assert [(a.kind, a.deadline, a.days_left) for a in alerts] == [
        (Alert.Kind.PERMIT_EXPIRES_SOON, today - D(days=5), -5),
        (Alert.Kind.REFLECTION_ENDS_SOON, today + D(days=3), 3),
        (Alert.Kind.COURSE_ENDS_SOON, today + D(days=14), 14),
    ]


def test_dashboard_alerts_page_reads_deadline_and_overdue(client, rcase, caseworker):
    today = timezone.localdate()
    Alert.objects.create(case=rcase, kind=Alert.Kind.COURSE_ENDS_SOON, due_on=today - D(days=1))
    Alert.objects.create(case=rcase, kind=Alert.Kind.PERMIT_EXPIRES_SOON, due_on=today - D(days=32))
    client.force_login(caseworker)
    page = client.get("/").content.decode()
    assert (today + D(days=13)).isoformat() in page and "13 days left" in page
    assert "2 days overdue" in page
    assert rcase.person.display_name in page
    assert page.index("2 days overdue") < page.index("13 days left")


def test_used_up_court_hours_show_as_used_up_not_as_a_form(client, rcase, caseworker):
    _log_hours(rcase, "150.00", caseworker)
    client.force_login(caseworker)
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert "Court-support hours used up" in page
    assert reverse("rehabilitation:court_support_add", args=[rcase.reference]) not in page


# --- API --------------------------------------------------------------------------------------


def test_case_api_has_the_entitlements(rcase, caseworker):
    course = course_at_day(rcase, 10, actor=caseworker)
    _log_hours(rcase, "148.00", caseworker)
    data = _api(caseworker).get(f"/api/v1/cases/{rcase.reference}/").json()
    assert data["entitlements"] == {
        "course": {
            "start_date": course.start_date.isoformat(),
            "last_day": course.last_day.isoformat(),
            "days_used": 10,
            "days_remaining": 170,
            "days_limit": 180,
            "status": "active",
        },
        "court_support": {"hours_used": "148.00", "hours_remaining": "2.00", "hours_limit": "150.00"},
        "post_course_consultations": {"used": 0, "limit": 5, "last_day": None},
        "family_consultations": {"used": 0, "limit": 5},
        "reflection_period": None,
    }
    # The list stays as it was.
    assert "entitlements" not in _api(caseworker).get("/api/v1/cases/").json()["results"][0]


def test_case_api_entitlements_show_the_reflection_period(rcase, caseworker):
    from services.limits import reflection_period_last_day
    from services.models import ReflectionPeriod

    start = timezone.localdate() - D(days=26)
    ReflectionPeriod.objects.create(
        case=rcase, start_date=start, last_day=reflection_period_last_day(start), recorded_by=caseworker
    )
    data = _api(caseworker).get(f"/api/v1/cases/{rcase.reference}/").json()
    assert data["entitlements"]["reflection_period"] == {
        "start_date": start.isoformat(),
        "last_day": (start + D(days=29)).isoformat(),
        "days_remaining": 3,
        "status": "running",
    }


def test_api_court_support_post_same_rules_and_messages(rcase, caseworker, caseworker2, national):
    url = f"/api/v1/cases/{rcase.reference}/court-support/"
    today = timezone.localdate().isoformat()
    api = _api(caseworker)
    assert (
        api.post(url, {"date": today, "hours": "147.75", "activity": "Trial"}, format="json").status_code
        == 201
    )
    response = api.post(url, {"date": today, "hours": "3.00", "activity": "Trial"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "hours": ["2.25 hours of court support remain; this entry asks for 3.00 hours."]
    }
    response = api.post(url, {"date": today, "hours": "2.25", "activity": "Trial"}, format="json")
    assert response.status_code == 201 and response.json()["hours"] == "2.25"
    assert api.get(url).json()[0]["hours"] in ("2.25", "147.75")
    assert (
        _api(caseworker2).post(url, {"date": today, "hours": "1", "activity": "x"}, format="json").status_code
        == 404
    )
    assert _api(caseworker2).get(url).status_code == 404
    assert (
        _api(national).post(url, {"date": today, "hours": "1", "activity": "x"}, format="json").status_code
        == 403
    )
    assert _api(national).get(url).status_code == 200


def test_api_course_start_consultation_day_181_and_end(rcase, caseworker):
    api = _api(caseworker)
    base = f"/api/v1/cases/{rcase.reference}"
    start = timezone.localdate() - D(days=180)
    assert api.post(f"{base}/course/", {"start_date": start.isoformat()}, format="json").status_code == 201
    ok = api.post(
        f"{base}/course-services/",
        {"date": (start + D(days=179)).isoformat(), "specialist": "lawyer", "hours": "1.00"},
        format="json",
    )
    assert ok.status_code == 201
    day_181 = start + D(days=180)
    refused = api.post(
        f"{base}/course-services/",
        {"date": day_181.isoformat(), "specialist": "lawyer", "hours": "1.00"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "date": [
            services.COURSE_DAY_OVER
            % {"last_day": (start + D(days=179)).isoformat(), "date": day_181.isoformat(), "day": 181}
        ]
    }
    ended = api.post(
        f"{base}/course/end/",
        {"ended_on": (start + D(days=179)).isoformat(), "status": "completed"},
        format="json",
    )
    assert ended.status_code == 200 and ended.json()["status"] == "completed"
    post = api.post(
        f"{base}/post-course-consultations/",
        {"date": timezone.localdate().isoformat(), "specialist": "psychologist"},
        format="json",
    )
    assert post.status_code == 201 and post.json()["hours"] == "1.00"


def test_api_family_consultation_refused_for_an_adult(rcase, caseworker):
    api = _api(caseworker)
    base = f"/api/v1/cases/{rcase.reference}"
    member = api.post(
        f"{base}/family-members/", {"given_name": "Ivars", "relationship": "brother"}, format="json"
    ).json()
    response = api.post(
        f"{base}/family-consultations/",
        {
            "family_member": member["id"],
            "date": timezone.localdate().isoformat(),
            "specialist": "lawyer",
        },
        format="json",
    )
    assert response.status_code == 400
    on = rcase.opened_on
    assert response.json() == {
        "non_field_errors": [
            services.FAMILY_NOT_MINOR % {"age": rcase.person.age_on(on), "date": on.isoformat()}
        ]
    }


def test_openapi_schema_has_the_entitlements_and_the_entries(caseworker):
    client = _api(caseworker)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for suffix in (
        "court-support/",
        "course/",
        "course/end/",
        "course-services/",
        "post-course-consultations/",
        "family-members/",
        "family-consultations/",
        "material-assistance/",
    ):
        assert f"/api/v1/cases/{{reference}}/{suffix}" in paths, suffix
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert "entitlements" in detail
    assert "entitlements" not in schema["components"]["schemas"]["Case"]["properties"]


def test_presumed_case_has_no_court_support_button(client, mandated_ngo, caseworker):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    client.force_login(caseworker)
    html = client.get(case.get_absolute_url()).content.decode()
    assert (
        "Log court support" not in html and "The course begins after the identification is approved." in html
    )


@pytest.mark.parametrize("n", [3, 30])
def test_the_sections_and_the_panel_run_a_fixed_number_of_queries(
    n, rf, rcase, caseworker, django_assert_num_queries
):
    from rehabilitation import views
    from rehabilitation.models import FamilyConsultation, PostCourseConsultation

    course = course_at_day(rcase, 100, actor=caseworker)
    member = services.family_member_add(
        case=rcase, given_name="Inga", relationship="mother", actor=caseworker
    )
    for i in range(n):
        CourtSupportEntry.objects.create(
            case=rcase, date=timezone.localdate(), hours=Decimal("1.00"), activity="x", recorded_by=caseworker
        )
        CourseService.objects.create(
            course=course,
            date=course.start_date,
            specialist="lawyer",
            hours=Decimal("1.00"),
            recorded_by=caseworker,
        )
        PostCourseConsultation.objects.create(
            course=course, date=course.start_date, specialist="lawyer", recorded_by=caseworker
        )
        FamilyConsultation.objects.create(
            case=rcase,
            family_member=member,
            date=course.start_date,
            specialist="lawyer",
            recorded_by=caseworker,
        )
        Alert.objects.create(
            case=rcase, kind=Alert.Kind.COURSE_ENDS_SOON, due_on=course.start_date + D(days=i)
        )
    request = rf.get("/")
    request.user = caseworker
    caseworker._roles_cache = frozenset({"caseworker"})
    with django_assert_num_queries(QUERIES_SECTIONS):
        context = views.case_section_context(request, rcase)
        views.entitlements_section_context(request, rcase)
        views.alerts_section_context(request, rcase)
    # A page of each table (cases.pagination.SECTION_PAGE_SIZE rows), never all of them.
    assert len(context["court_entries"]) == min(n, 20) and len(context["family_consultations"]) == min(n, 20)
    assert len(context["services"]) == len(context["post_course"]) == min(n, 20)
    assert bool(context["court_entries"].next_url) == (n > 20)
    with django_assert_num_queries(QUERIES_PANEL):
        assert len(views.alerts_panel_context(request)["alerts"]) == n


def test_the_case_page_shows_consultations_delivered_against_the_plan(client, rcase, caseworker):
    course = course_at_day(rcase, 20, actor=caseworker)
    services.plan_save(
        case=rcase, goals="Stability", planned={"psychologist": 12, "lawyer": 1}, actor=caseworker
    )
    for specialist in ["psychologist"] * 4 + ["lawyer"] * 2 + ["medical"]:
        CourseService.objects.create(
            course=course,
            date=course.start_date,
            specialist=specialist,
            hours=Decimal("1.00"),
            recorded_by=caseworker,
        )
    client.force_login(caseworker)
    html = client.get(rcase.get_absolute_url()).content.decode()
    table = html[html.index('id="plan-progress"') : html.index("</table>", html.index('id="plan-progress"'))]
    assert "Psychologist</th>" in table and "4 of 12" in table
    assert "2 of 1" in table and "more than planned" in table
    # Consulted outside the plan: shown, said so; planned for nobody and never consulted: absent.
    assert "Medical practitioner</th>" in table and "1 of 0" in table and "not in the plan" in table
    assert "Social worker" not in table


def test_the_case_page_tables_page_past_twenty_rows_with_their_own_links(client, rcase, caseworker):
    """45 court-support entries and 25 consultations: 20 rows a table, "Older entries" to the next
    page of that table only (the other table keeps its page), the same queries on every page, and
    a page number that is no number or past the end shows the first page."""
    course = course_at_day(rcase, 100, actor=caseworker)
    today = timezone.localdate()
    for i in range(45):
        CourtSupportEntry.objects.create(
            case=rcase,
            date=today - D(days=i),
            hours=Decimal("1.00"),
            activity=f"Hearing {i:02d}",
            recorded_by=caseworker,
        )
    for _i in range(25):
        CourseService.objects.create(
            course=course,
            date=course.start_date,
            specialist="lawyer",
            hours=Decimal("1.00"),
            recorded_by=caseworker,
        )
    client.force_login(caseworker)
    url = rcase.get_absolute_url()
    first = client.get(url).content.decode()
    assert "Hearing 19" in first and "Hearing 20" not in first
    assert "Entries 1–20" in first and "Newer entries" not in first
    assert f'href="{url}?court_page=2#court-h"' in first
    assert f'href="{url}?services_page=2#services-h"' in first

    second = client.get(url, {"court_page": 2, "services_page": 2}).content.decode()
    assert "Hearing 20" in second and "Hearing 39" in second and "Hearing 19" not in second
    assert "Entries 21–40" in second
    # Each link keeps the other table's page and returns to its own table.
    assert f'href="{url}?court_page=3&amp;services_page=2#court-h"' in second
    assert f'href="{url}?services_page=2#court-h"' in second  # newer: court page 1
    assert f'href="{url}?court_page=2#services-h"' in second  # services page 1

    last = client.get(url, {"court_page": 3}).content.decode()
    assert (
        "Hearing 44" in last
        and "Entries 41–45" in last
        and "Older entries" not in last.split('id="court-h"')[1].split("</section>")[0]
    )

    for odd in ("x", "-4", "99"):
        page = client.get(url, {"court_page": odd}).content.decode()
        assert "Hearing 00" in page and "Hearing 20" not in page

    assert _count(client, url) == _count(client, url + "?court_page=2&services_page=2")
