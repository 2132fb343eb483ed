"""Retention and anonymisation on PostgreSQL: the whole database is searched for the person."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from cases.models import Case, Person
from cases.personal_data import entries, entry_for
from privacy import anonymise, retention
from privacy.models import Anonymisation, LegalHold, RetentionRule
from referrals.models import Referral
from tests.project import project_app_configs, project_app_labels

from .conftest import BORN, NEEDLES, build_full_case, where_found

pytestmark = pytest.mark.django_db


def _project_models():
    """Every model of the project's own apps (not Django's or the libraries'), history tables aside."""
    for config in project_app_configs():
        for model in config.get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def _row_counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in project_app_labels()
    }


def test_every_model_with_text_fields_declares_its_personal_data():
    """A model added without a personal_data.py declaration fails here, whichever app it is in."""
    text = (models.CharField, models.TextField, models.JSONField)
    missing = [
        model._meta.label
        for model in _project_models()
        if any(isinstance(f, text) for f in model._meta.concrete_fields) and entry_for(model) is None
    ]
    assert missing == [], (
        "Declare the personal data of these models in their app's personal_data.py "
        "(register(...) or not_personal(...); cases/personal_data.py explains how)"
    )


def _model_at(model, path: str):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def test_every_case_path_of_the_registry_reaches_a_case():
    paths = [(entry.model, entry.case_path) for entry in entries() if entry.case_path]
    assert len(paths) > 10
    for model, path in paths:
        # The path ends on the case, on the live table and on its history table, and the ORM
        # accepts it as a filter (a typo fails here, not during an erasure).
        assert _model_at(model, path) is Case, (model, path)
        assert _model_at(model.history.model, path) is Case, (model, path)
        assert model.objects.filter(**{f"{path}__in": [0]}).exists() is False
        assert model.history.model.objects.filter(**{f"{path}__in": [0]}).exists() is False


def test_the_search_finds_the_person_before(full_case):
    found = where_found(NEEDLES, BORN)
    # The live tables and the history tables of every app hold the person: the search works.
    tables = {f.split(".")[0] for f in found}
    assert {
        "cases_person",
        "cases_historicalperson",
        "cases_historicalcase",
        "referrals_referral",
        "referrals_historicalreferral",
        "rehabilitation_historicalcourseservice",
        "reintegration_historicalpartnerconsultation",
    } <= tables


def test_a_case_past_its_retention_is_anonymised_everywhere(full_case):
    report = retention.apply_retention()
    assert report.cases == [full_case.reference]
    assert where_found(NEEDLES, BORN) == []
    record = Anonymisation.objects.get(case=full_case)
    assert record.rule == RetentionRule.CLOSED_CASE
    assert record.history.get().history_user is None  # the job, not a person


def test_anonymisation_keeps_what_statistics_need(full_case):
    retention.apply_retention()
    person = Person.objects.get(pk=full_case.person_id)
    assert (person.given_name, person.family_name, person.date_of_birth, person.phone) == ("", "", None, "")
    assert person.sex == "female" and [c.code for c in person.citizenships] == ["LV"]
    # Born 1994-07-23, first case opened 2019-03-14: 24, estimated in March 2019.
    assert (person.estimated_age, person.estimated_age_on) == (24, datetime.date(2019, 3, 1))
    case = Case.objects.get(pk=full_case.pk)
    assert case.opened_on == datetime.date(2019, 3, 1)
    assert case.close_reason == "—"
    referral = Referral.objects.get(case=case)
    assert referral.forms_of_exploitation == ["sexual"]
    assert referral.met_on == datetime.date(2019, 3, 1)
    assert case.rehabilitation_courses.get().services.count() == 1


def test_a_held_case_is_not_anonymised_until_the_hold_is_lifted(full_case, coordinator):
    hold = LegalHold.objects.create(
        case=full_case,
        kind="criminal_proceedings",
        reason="Proceedings 12816000119 open",
        placed_by=coordinator,
    )
    dry = retention.apply_retention(dry_run=True)
    assert (dry.cases, dry.held) == ([], [full_case.reference])
    report = retention.apply_retention()
    assert report.cases == [] and report.held == [full_case.reference]
    assert not Anonymisation.objects.filter(case=full_case).exists()
    assert Person.objects.get(pk=full_case.person_id).given_name == "Zentagrūda"
    hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), coordinator, "Proceedings ended"
    hold.save()
    assert retention.apply_retention().cases == [full_case.reference]
    assert where_found(NEEDLES, BORN) == []


def test_a_second_run_does_nothing(full_case):
    retention.apply_retention()
    counts = _row_counts()
    again = retention.apply_retention()
    assert (again.total, again.cases) == (0, [])
    assert anonymise.anonymise_cases(case_ids=[full_case.pk], rule=RetentionRule.CLOSED_CASE) == []
    assert _row_counts() == counts


def test_a_case_closed_recently_or_still_open_stays(
    full_case, mandated_ngo, caseworker, coordinator, police, partner
):
    recent = build_full_case(
        org=mandated_ngo,
        caseworker=caseworker,
        coordinator=coordinator,
        police=police,
        partner=partner,
        name=("Ilze", "Recentā"),
        closed_years_ago=1,
    )
    report = retention.apply_retention()
    assert report.cases == [full_case.reference]
    assert Person.objects.get(pk=recent.person_id).family_name == "Recentā"


def test_the_person_with_another_open_case_keeps_their_name(full_case, mandated_ngo):
    second = Case.objects.create(
        person=full_case.person, organisation=mandated_ngo, reference="NRM-2026-9999", year=2026, number=9999
    )
    retention.apply_retention()
    person = Person.objects.get(pk=full_case.person_id)
    assert person.family_name == "Vaivodiņa"
    assert Case.objects.get(pk=full_case.pk).close_reason == "—"
    assert not Anonymisation.objects.filter(case=second).exists()


def test_declined_referrals_and_anonymous_notifications_after_a_year(police, coordinator, mandated_ngo):
    old = timezone.now() - datetime.timedelta(days=400)
    declined = Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="declined",
        consent=True,
        given_name="Jānis",
        family_name="Noraidītais",
        submitted_at=old,
        decided_at=old,
        decided_by=coordinator,
        intake_organisation=mandated_ngo,
        decline_reason="Jānis Noraidītais is not a victim",
    )
    anonymous = Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="submitted",
        consent=False,
        submitted_at=old,
        met_place="Bus stop near the Noraidītais farm",
    )
    young = Referral.objects.create(
        organisation=police.organisation,
        created_by=police,
        status="submitted",
        consent=False,
        submitted_at=timezone.now() - datetime.timedelta(days=300),
        met_place="Market",
    )
    dry = retention.apply_retention(dry_run=True)
    assert (dry.declined_referrals, dry.anonymous_notifications) == ([declined.pk], [anonymous.pk])
    assert where_found(["Noraidīt"]) != []
    retention.apply_retention()
    assert where_found(["Noraidīt"]) == []
    assert Referral.objects.get(pk=young.pk).met_place == "Market"
    assert set(Anonymisation.objects.values_list("rule", flat=True)) == {
        RetentionRule.DECLINED_REFERRAL,
        RetentionRule.ANONYMOUS_NOTIFICATION,
    }


def test_old_security_events_are_deleted_with_their_history(police):
    from accounts.models import SecurityEvent

    old = SecurityEvent.objects.create(
        kind="login", user=police, at=timezone.now() - datetime.timedelta(days=800)
    )
    new = SecurityEvent.objects.create(kind="login", user=police)
    assert retention.apply_retention(dry_run=True).security_events == 1
    assert retention.apply_retention().security_events == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [new.pk]
    assert not SecurityEvent.history.filter(id=old.pk).exists()


def test_the_command_lists_what_would_go_and_changes_nothing(full_case, capsys):
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out
    assert f"closed cases: would anonymise 1 ({full_case.reference})" in out
    assert Person.objects.get(pk=full_case.person_id).given_name == "Zentagrūda"
    call_command("apply_retention")
    assert f"closed cases: anonymised 1 ({full_case.reference})" in capsys.readouterr().out
    assert where_found(NEEDLES, BORN) == []


def test_the_daily_job_is_in_the_beat_schedule():
    from django.conf import settings

    job = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert job["task"] == "privacy.tasks.apply_retention"
    assert settings.PRIVACY_RETENTION["closed_case_years"] == 5
