"""Correcting and voiding the client rehabilitation plan (cases.corrections over this app's rules):
the goals and the planned consultations corrected with a reason, a voided plan replaced by a new
one, history keeping both versions with the actor, pages and API answering alike."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases import corrections
from cases.models import EntryCorrection
from cases.selectors import case_timeline
from rehabilitation import services
from rehabilitation.models import RehabilitationPlan
from tests.rehabilitation.factories import course_at_day

pytestmark = pytest.mark.django_db

PLAN = {"social_worker": 3, "psychologist": 12, "lawyer": 1, "medical": 0, "other": 0}


@pytest.fixture
def plan(rcase, caseworker):
    course_at_day(rcase, 20, actor=caseworker)
    return services.plan_save(
        case=rcase,
        goals="Stable housing",
        planned={"psychologist": 12, "lawyer": 1, "social_worker": 3},
        actor=caseworker,
    )


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_correction_keeps_both_versions_with_the_actor_and_the_timeline_shows_it(rcase, plan, caseworker):
    services.plan_correct(
        entry=plan,
        goals="Stable housing and a job",
        **{**PLAN, "psychologist": 8},
        reason="Typed 12 for 8",
        actor=caseworker,
    )
    plan.refresh_from_db()
    assert plan.planned_psychologist == 8 and plan.goals == "Stable housing and a job"
    assert plan.corrected_at is not None
    versions = list(plan.history.order_by("history_date"))
    assert [v.planned_psychologist for v in versions] == [12, 8]
    assert versions[-1].history_user == caseworker and versions[-1].history_change_reason == "Typed 12 for 8"
    log = EntryCorrection.objects.get(case=rcase)
    assert log.kind == "plans" and set(log.fields) == {"goals", "planned_psychologist"}
    corrected = next(
        e for e in case_timeline(case=rcase) if e.title == "Entry corrected: Rehabilitation plan"
    )
    assert corrected.reason == "Typed 12 for 8" and corrected.actor == caseworker.display_name
    assert "Goals changed" in corrected.details


def test_a_correction_is_refused_with_its_message(rcase, plan, caseworker):
    def correct(**changes):
        values = {"goals": plan.goals, **PLAN, "reason": "x", **changes}
        with pytest.raises(ValidationError) as refused:
            services.plan_correct(entry=plan, actor=caseworker, **values)
        return refused.value

    assert correct(goals="  ").message_dict == {"goals": [str(services.PLAN_NEEDS_GOALS)]}
    assert correct(lawyer=-1).message_dict == {"lawyer": ["Plan between 0 and 500 consultations."]}
    assert correct(other=501).message_dict == {"other": ["Plan between 0 and 500 consultations."]}
    assert correct(reason=" ").message_dict == {"reason": [str(corrections.REASON_NEEDED)]}
    assert correct().messages == [str(corrections.NOTHING_CHANGED)]
    plan.refresh_from_db()
    assert plan.history.count() == 1 and plan.corrected_at is None


def test_only_whoever_may_write_the_case_corrects_or_voids(rcase, plan, caseworker2, national):
    for user in (caseworker2, national):
        with pytest.raises(PermissionDenied):
            services.plan_void(entry=plan, reason="x", actor=user)
        with pytest.raises(PermissionDenied):
            services.plan_correct(entry=plan, goals="Other", **PLAN, reason="x", actor=user)
    plan.refresh_from_db()
    assert plan.voided_at is None and plan.goals == "Stable housing"


def test_a_voided_plan_stays_in_the_history_and_a_new_one_can_be_written(rcase, plan, caseworker):
    with pytest.raises(ValidationError) as no_reason:
        services.plan_void(entry=plan, reason="", actor=caseworker)
    assert no_reason.value.message_dict == {"reason": [str(corrections.VOID_REASON_NEEDED)]}

    services.plan_void(entry=plan, reason="Written on the wrong case", actor=caseworker)
    plan.refresh_from_db()
    assert plan.voided_by == caseworker and plan.void_reason == "Written on the wrong case"
    course = rcase.rehabilitation_courses.get()
    assert course.plan is None
    with pytest.raises(ValidationError) as again:
        services.plan_correct(entry=plan, goals="Other", **PLAN, reason="x", actor=caseworker)
    assert "a voided entry cannot be changed" in str(again.value)

    new = services.plan_save(case=rcase, goals="Return home", planned={"social_worker": 4}, actor=caseworker)
    assert new.pk != plan.pk and course.plan == new
    assert RehabilitationPlan.objects.filter(course=course).count() == 2
    voided = next(e for e in case_timeline(case=rcase) if e.title == "Entry voided: Rehabilitation plan")
    assert voided.reason == "Written on the wrong case"


def test_pages_correct_and_void_the_plan_with_the_messages(client, rcase, plan, caseworker, caseworker2):
    correct_url = reverse("rehabilitation:plans_correct", args=[plan.pk])
    void_url = reverse("rehabilitation:plans_void", args=[plan.pk])
    client.force_login(caseworker)
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert correct_url in page and void_url in page
    form = client.get(correct_url).content.decode()
    assert "Stable housing" in form and 'name="psychologist" value="12"' in form

    refused = client.post(correct_url, {"goals": "", **PLAN, "reason": "x"})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    done = client.post(correct_url, {"goals": "Stable housing", **{**PLAN, "lawyer": 2}, "reason": "Two"})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.planned_lawyer == 2

    assert client.post(void_url, {"reason": ""}).status_code == 400
    assert client.post(void_url, {"reason": "Wrong case"}).status_code == 302
    page = client.get(rcase.get_absolute_url()).content.decode()
    assert "Write the plan" in page and correct_url not in page
    assert "Entry voided: Rehabilitation plan" in page

    client.force_login(caseworker2)
    assert client.get(correct_url).status_code == 404


def test_api_corrects_and_voids_the_plan(rcase, plan, caseworker, national):
    api = _api(caseworker)
    url = f"/api/v1/entries/plans/{plan.pk}/"
    refused = api.post(url + "correct/", {"goals": " ", "reason": "x"}, format="json")
    assert refused.status_code == 400
    assert api.post(url + "correct/", {"psychologist": 8}, format="json").json() == {
        "reason": [str(corrections.REASON_NEEDED)]
    }
    done = api.post(url + "correct/", {"psychologist": 8, "reason": "Typed 12 for 8"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["psychologist"] == 8 and done.json()["lawyer"] == 1 and done.json()["corrected_at"]
    plan.refresh_from_db()
    assert plan.planned_psychologist == 8 and plan.goals == "Stable housing"
    assert _api(national).post(url + "void/", {"reason": "x"}, format="json").status_code == 403
    voided = api.post(url + "void/", {"reason": "Wrong case"}, format="json")
    assert voided.status_code == 200 and voided.json()["void_reason"] == "Wrong case"


def test_every_entry_the_stages_record_is_correctable():
    """The entries the stages record, each registered with its own correct and void services."""
    slugs = {k.slug for k in corrections.kinds()}
    assert {
        "assistance",
        "proceedings",
        "hearings",
        "plans",
        "course-services",
        "material-assistance",
        "post-course-consultations",
        "family-consultations",
        "court-support",
        "needs",
        "municipal-assistance",
        "employment-measures",
        "partner-consultations",
    } <= slugs
    for kind in corrections.kinds():
        assert kind.correct.__name__.endswith("_correct") and kind.void.__name__.endswith("_void"), kind.slug
