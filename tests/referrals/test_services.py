"""The referral services: drafts, submission, anonymous notifications, intake decisions, e-mail."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from cases.models import Case, CaseAssignment, Person
from operations.models import OutboxEmail
from operations.services import outbox_deliver
from referrals import models, services
from referrals.models import Referral
from tests.factories import PersonFactory, make_case

from .factories import anonymous_data, complete_data, submit

pytestmark = pytest.mark.django_db


# --- drafts and submission --------------------------------------------------------------------


def test_a_draft_keeps_whatever_was_typed_without_asking_for_the_rest(police):
    draft = services.referral_save_draft(
        actor=police, data={"given_name": "Olena", "indicators": ["isolation"]}
    )
    draft.refresh_from_db()
    assert draft.status == Referral.Status.DRAFT and draft.submitted_at is None
    assert draft.given_name == "Olena" and draft.indicators == ["isolation"]
    assert draft.organisation == police.organisation and draft.created_by == police
    record = draft.history.get()
    assert record.history_user == police and record.history_change_reason == "Draft saved"


def test_finishing_a_draft_submits_it(police, coordinator, django_capture_on_commit_callbacks):
    draft = services.referral_save_draft(actor=police, data={"given_name": "Olena"})
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_submit(
            actor=police, referral=draft, data=complete_data(given_name="Olena", family_name="")
        )
    assert referral.pk == draft.pk
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED and referral.submitted_at is not None
    assert [r.history_change_reason for r in referral.history.order_by("history_date")] == [
        "Draft saved",
        "Referral submitted",
    ]
    outbox_deliver()
    assert len(mail.outbox) == 1


def test_submit_says_what_is_missing_field_by_field(police):
    with pytest.raises(ValidationError) as exc:
        services.referral_submit(actor=police, data={"given_name": "Olena"})
    assert exc.value.message_dict == {
        "consent": [services.CONSENT_REQUIRED],
        "met_on": [services.MET_ON_REQUIRED],
        "met_place": [services.MET_PLACE_REQUIRED],
        "indicators": [services.INDICATORS_REQUIRED],
        "forms_of_exploitation": [services.EXPLOITATION_REQUIRED],
    }
    assert not Referral.objects.exists()


def test_free_text_alone_is_enough_as_indicators_but_other_needs_it(police):
    referral = submit(police, indicators=[], indicators_notes="Her passport was taken.")
    assert referral.status == Referral.Status.SUBMITTED
    with pytest.raises(ValidationError) as exc:
        submit(police, indicators=["other"], indicators_notes="")
    assert exc.value.message_dict == {"indicators_notes": [services.INDICATOR_OTHER_NEEDS_TEXT]}


def test_dates_in_the_future_and_both_ages_are_refused_even_in_a_draft(police):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.referral_save_draft(
            actor=police, data={"met_on": tomorrow, "date_of_birth": tomorrow, "estimated_age": 30}
        )
    assert exc.value.message_dict == {
        "met_on": [services.MET_ON_IN_FUTURE],
        "date_of_birth": [services.DATE_OF_BIRTH_IN_FUTURE],
        "estimated_age": [models.EXACT_OR_ESTIMATED_AGE],
    }


def test_submitting_reports_every_problem_in_one_round(police):
    # Both ages and no date met: the missing date is reported now, not after the age is fixed.
    with pytest.raises(ValidationError) as exc:
        services.referral_submit(
            actor=police,
            data={"consent": True, "date_of_birth": datetime.date(2000, 1, 1), "estimated_age": 30},
        )
    errors = exc.value.message_dict
    assert errors["estimated_age"] == [models.EXACT_OR_ESTIMATED_AGE]
    assert errors["met_on"] == [services.MET_ON_REQUIRED]
    assert errors["met_place"] == [services.MET_PLACE_REQUIRED]
    assert not Referral.objects.exists()


def test_unknown_choices_are_refused(police):
    with pytest.raises(ValidationError) as exc:
        services.referral_save_draft(actor=police, data={"forms_of_exploitation": ["piracy"]})
    assert exc.value.message_dict == {
        "forms_of_exploitation": [services.UNKNOWN_CHOICE % {"value": "piracy"}]
    }


def test_only_a_first_responder_refers(caseworker, coordinator, national, municipality, sysadmin):
    for user in (caseworker, coordinator, national, municipality, sysadmin):
        with pytest.raises(PermissionDenied) as exc:
            services.referral_submit(actor=user, data=complete_data())
        assert exc.value.args == (services.NOT_A_FIRST_RESPONDER,)
    assert not Referral.objects.exists()


def test_only_the_author_changes_a_draft_and_a_submitted_referral_changes_no_more(police, police_colleague):
    draft = services.referral_save_draft(actor=police, data={"given_name": "Olena"})
    with pytest.raises(PermissionDenied):
        services.referral_save_draft(actor=police_colleague, referral=draft, data={"given_name": "X"})
    submitted = submit(police)
    with pytest.raises(ValidationError) as exc:
        services.referral_save_draft(actor=police, referral=submitted, data={"given_name": "X"})
    assert exc.value.messages == [services.DRAFT_NOT_EDITABLE]


# --- anonymous notifications ------------------------------------------------------------------


def test_without_consent_nothing_identifying_is_kept(police):
    for field, value in [
        ("given_name", "Olena"),
        ("family_name", "K"),
        ("other_names", "Lena"),
        ("date_of_birth", datetime.date(2008, 1, 1)),
        ("phone", "+371 2"),
        ("email", "a@example.invalid"),
        ("address", "Rīga"),
    ]:
        data = anonymous_data(**{field: value})
        if field == "date_of_birth":
            data["estimated_age"] = None
        for service in (services.referral_save_draft, services.referral_submit):
            with pytest.raises(ValidationError) as exc:
                service(actor=police, data=data)
            assert exc.value.message_dict == {"consent": [models.ANONYMOUS_HAS_IDENTITY]}, field
    assert not Referral.objects.exists()


def test_the_database_refuses_an_identified_anonymous_notification(police):
    referral = submit(police, **anonymous_data())
    referral.given_name = "Olena"
    with pytest.raises(IntegrityError):
        referral.save()


def test_an_anonymous_notification_is_submitted_and_opens_no_case(
    police, coordinator, caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(police, **anonymous_data())
    assert referral.status == Referral.Status.SUBMITTED and referral.is_anonymous
    assert referral.history.first().history_change_reason == "Anonymous notification submitted"
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    assert exc.value.messages == [services.ANONYMOUS_OPENS_NO_CASE]
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(referral=referral, actor=coordinator, reason="No")
    assert exc.value.messages == [services.ANONYMOUS_OPENS_NO_CASE]
    assert not Case.objects.exists()
    outbox_deliver()
    assert mail.outbox[0].subject == "New anonymous notification"


# --- accept -----------------------------------------------------------------------------------


def test_accept_creates_the_person_opens_a_case_and_assigns(police, coordinator, caseworker):
    referral = submit(police, estimated_age=None)
    referral = services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    referral.refresh_from_db()
    case = referral.case
    assert referral.status == Referral.Status.ACCEPTED and referral.decided_by == coordinator
    assert referral.intake_organisation == coordinator.organisation and referral.decided_at is not None
    assert case.organisation == coordinator.organisation
    assert case.stage == Case.Stage.IDENTIFICATION and case.victim_status == Case.VictimStatus.PRESUMED
    person = case.person
    assert referral.person == person
    assert (person.given_name, person.family_name, person.date_of_birth) == (
        "Aija",
        "Bērziņa",
        datetime.date(1994, 3, 12),
    )
    assert [c.code for c in person.citizenships] == ["LV"] and person.phone == "+371 20000001"
    assert CaseAssignment.objects.get(case=case).user == caseworker
    # Every write carries the coordinator.
    assert person.history.get().history_user == coordinator
    assert case.history.get().history_user == coordinator
    assert CaseAssignment.history.get().history_user == coordinator
    last = referral.history.first()
    assert last.history_user == coordinator and last.history_change_reason == "Referral accepted"


def test_accept_with_an_estimated_age_records_when_it_was_estimated(police, coordinator, caseworker):
    referral = submit(police, date_of_birth=None, estimated_age=30)
    referral = services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    person = referral.case.person
    assert person.estimated_age == 30 and person.estimated_age_on == timezone.localdate()


def test_accept_can_attach_to_a_person_the_ngo_knows(police, coordinator, caseworker, mandated_ngo):
    known = make_case(
        organisation=mandated_ngo, person=PersonFactory(given_name="Aija", family_name="Berzina")
    ).person
    referral = submit(police)
    referral = services.referral_accept(
        referral=referral, actor=coordinator, caseworker=caseworker, person_id=known.pk
    )
    assert referral.person == known and referral.case.person == known
    assert Person.objects.count() == 1


def test_accept_refuses_a_person_of_another_ngo(police, coordinator, caseworker, case_of_other_ngo):
    referral = submit(police)
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(
            referral=referral, actor=coordinator, caseworker=caseworker, person_id=case_of_other_ngo.person_id
        )
    assert exc.value.message_dict == {"person": [services.PERSON_NOT_KNOWN]}


def test_accept_needs_a_caseworker_of_the_ngo_and_rolls_back_otherwise(
    police, coordinator, other_ngo_worker, police_colleague
):
    referral = submit(police)
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, actor=coordinator, caseworker=None)
    assert exc.value.message_dict == {"caseworker": [services.CASEWORKER_REQUIRED]}
    for outsider in (other_ngo_worker, police_colleague):
        from cases import services as case_services

        with pytest.raises(ValidationError) as exc:
            services.referral_accept(referral=referral, actor=coordinator, caseworker=outsider)
        assert exc.value.message_dict == {
            "caseworker": [case_services.NOT_ASSIGNABLE % {"name": outsider.display_name}]
        }
    # Nothing of the refused attempts remains.
    assert not Case.objects.exists() and not Person.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED


def test_only_an_ngo_coordinator_decides(police, caseworker, national, police_colleague):
    referral = submit(police)
    for actor in (police, police_colleague, caseworker, national):
        with pytest.raises(PermissionDenied):
            services.referral_accept(referral=referral, actor=actor, caseworker=caseworker)
        with pytest.raises(PermissionDenied):
            services.referral_decline(referral=referral, actor=actor, reason="No")


def test_a_decided_referral_takes_no_second_decision(police, coordinator, caseworker, other_ngo_worker):
    referral = submit(police)
    services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    for actor in (coordinator, other_ngo_worker):
        with pytest.raises(ValidationError) as exc:
            services.referral_decline(referral=referral, actor=actor, reason="Late")
        assert exc.value.messages == [services.NOT_WAITING % {"status": "accepted"}]
    draft = services.referral_save_draft(actor=police, data={})
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=draft, actor=coordinator, caseworker=caseworker)
    assert exc.value.messages == [services.NOT_WAITING % {"status": "draft"}]


# --- decline ----------------------------------------------------------------------------------


def test_decline_needs_a_reason_and_keeps_it(police, coordinator):
    referral = submit(police)
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(referral=referral, actor=coordinator, reason="   ")
    assert exc.value.message_dict == {"reason": [services.DECLINE_NEEDS_REASON]}
    referral = services.referral_decline(
        referral=referral, actor=coordinator, reason="No signs of trafficking."
    )
    referral.refresh_from_db()
    assert (
        referral.status == Referral.Status.DECLINED and referral.decline_reason == "No signs of trafficking."
    )
    last = referral.history.first()
    assert last.history_user == coordinator and last.history_change_reason == "No signs of trafficking."
    assert not Case.objects.exists()


# --- the e-mail -------------------------------------------------------------------------------


def test_every_active_coordinator_gets_a_link_and_no_personal_data(
    police, coordinator, other_ngo_worker, caseworker, national, django_capture_on_commit_callbacks, settings
):
    from cases.models import Role
    from tests.factories import UserFactory

    UserFactory(
        username="retired", organisation=coordinator.organisation, roles=[Role.COORDINATOR], is_active=False
    )
    settings.SITE_URL = "https://nrm.example.invalid"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = submit(police, address="Brīvības iela 1", email="aija@example.invalid")
    # Nothing is sent before the transaction commits: the e-mails wait in the outbox, written
    # with the referral, and the delivery job is queued on commit.
    assert mail.outbox == [] and len(callbacks) == 1
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, kind="referral").count() == 2
    outbox_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, other_ngo_worker.email])
    message = mail.outbox[0]
    assert message.subject == "New referral waiting for intake"
    assert f"https://nrm.example.invalid/referrals/{referral.pk}/" in message.body
    text = message.subject + message.body
    for personal in (
        "Aija",
        "Bērziņa",
        "Berzina",
        "1994",
        "20000001",
        "Brīvības",
        "aija@",
        "Centrālā",
        police.organisation.name,
        police.last_name,
    ):
        assert personal not in text


def test_a_draft_sends_no_email(police, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_save_draft(actor=police, data=complete_data())
    assert mail.outbox == [] and not OutboxEmail.objects.exists()
