"""The case's life across the stages, through the services the pages and the API call
(docs/lifecycle.md): the stage follows the events, a coordinator moves it by hand with a reason,
closing, reopening, the follow-up and transfers, and the integrity check that finds nothing on a
database filled this way."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import lifecycle, permissions, services
from cases.models import Alert, Case, CaseTransfer, Role, StageChange
from cases.permissions import Action
from cases.selectors import history_reason_text
from referrals import services as referral_services
from rehabilitation import jobs
from rehabilitation import services as rehabilitation_services
from reintegration import services as reintegration_services
from services import services as identification_services
from tests.factories import CONSENT, UserFactory
from tests.referrals.factories import submit
from tests.services.factories import DOCUMENTS

TODAY = timezone.localdate


@pytest.fixture
def riga(db):
    from cases.models import Organisation
    from tests.factories import OrganisationFactory

    return OrganisationFactory(
        name="Rīga social service", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Rīga"
    )


@pytest.fixture
def other_coordinator(other_ngo):
    return UserFactory(username="other_coordinator", organisation=other_ngo, roles=[Role.COORDINATOR])


@pytest.fixture
def other_caseworker(other_ngo):
    return UserFactory(username="other_caseworker", organisation=other_ngo, roles=[Role.CASEWORKER])


def accepted_case(police, coordinator, caseworker) -> Case:
    referral = submit(police)
    referral = referral_services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    return Case.objects.get(pk=referral.case_id)


def approve(case, caseworker, coordinator, outcome="identified", **extra):
    proposal = identification_services.identification_propose(
        case=case,
        actor=caseworker,
        ground="criminal_procedure_decision",
        outcome=outcome,
        **DOCUMENTS["criminal_procedure_decision"],
        **extra,
    )
    identification_services.identification_approve(identification=proposal, actor=coordinator)
    return Case.objects.get(pk=case.pk)


def events(case) -> list[tuple[str, str, str]]:
    return list(case.stage_changes.order_by("at", "pk").values_list("event", "from_stage", "to_stage"))


@pytest.fixture
def identified(police, coordinator, caseworker):
    case = accepted_case(police, coordinator, caseworker)
    return approve(case, caseworker, coordinator)


# --- the stage follows what happens -----------------------------------------------------------


def test_the_stage_follows_each_event_with_history_and_timeline(police, coordinator, caseworker, riga):
    from cases.selectors import case_timeline

    case = accepted_case(police, coordinator, caseworker)
    assert (case.stage, case.victim_status) == (Case.Stage.IDENTIFICATION, Case.VictimStatus.PRESUMED)
    assert events(case) == [(StageChange.Event.REFERRAL_ACCEPTED, "", Case.Stage.IDENTIFICATION)]

    case = approve(case, caseworker, coordinator)
    assert (case.stage, case.victim_status) == (Case.Stage.REHABILITATION, Case.VictimStatus.IDENTIFIED)
    last = case.history.first()
    assert last.stage == Case.Stage.REHABILITATION and last.history_user == coordinator
    # Stored as a code with its parameters, read in the reader's language (cases.reasons).
    assert history_reason_text(last.history_change_reason).startswith("Identification approved")

    rehabilitation_services.course_start(case=case, start_date=TODAY(), actor=caseworker)
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.REHABILITATION

    referral = reintegration_services.referral_create(
        **CONSENT, case=case, partner=riga, needs_note="Housing and food", actor=caseworker
    )
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.REINTEGRATION
    # Withdrawing the only onward referral takes the case back to where its records put it.
    reintegration_services.referral_withdraw(referral=referral, actor=caseworker, reason="Sent too early")
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.REHABILITATION
    reintegration_services.referral_create(
        **CONSENT, case=case, partner=riga, needs_note="Housing", actor=caseworker
    )
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Case.Stage.REINTEGRATION
    assert [e for e, _f, _t in events(case)] == [
        StageChange.Event.REFERRAL_ACCEPTED,
        StageChange.Event.IDENTIFICATION_APPROVED,
        StageChange.Event.ONWARD_REFERRAL,
        StageChange.Event.ONWARD_REFERRAL_WITHDRAWN,
        StageChange.Event.ONWARD_REFERRAL,
    ]
    titles = [entry.title for entry in case_timeline(case=case)]
    for title in ("Identification approved", "Referred onward to a partner", "Onward referral withdrawn"):
        assert title in titles
    assert lifecycle.integrity_problems() == []


def test_the_event_and_its_stage_roll_back_together(police, coordinator, caseworker, riga):
    case = accepted_case(police, coordinator, caseworker)
    # A referral the service refuses (no note) moves nothing.
    with pytest.raises(ValidationError):
        reintegration_services.referral_create(
            **CONSENT, case=case, partner=riga, needs_note=" ", actor=caseworker
        )
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.IDENTIFICATION
    assert len(events(case)) == 1


def test_not_identified_keeps_identification_until_closed(police, coordinator, caseworker):
    case = accepted_case(police, coordinator, caseworker)
    case = approve(case, caseworker, coordinator, outcome="not_identified", outcome_reason="No indicators")
    assert (case.stage, case.victim_status) == (Case.Stage.IDENTIFICATION, Case.VictimStatus.NOT_IDENTIFIED)
    case = services.case_close(case=case, actor=coordinator, reason="Not identified")
    assert case.stage == Case.Stage.CLOSED
    assert lifecycle.integrity_problems() == []


# --- by hand ----------------------------------------------------------------------------------


def test_coordinator_moves_by_hand_with_a_reason_within_the_allowed_transitions(
    identified, coordinator, caseworker, riga
):
    case = identified
    with pytest.raises(PermissionDenied):
        services.case_move_to_stage(case=case, stage=Case.Stage.REINTEGRATION, actor=caseworker, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.REINTEGRATION, actor=coordinator, reason=" ")
    assert exc.value.message_dict == {"reason": [services.MOVE_NEEDS_REASON]}
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.CLOSED, actor=coordinator, reason="x")
    assert exc.value.message_dict == {"stage": [services.USE_CLOSING]}
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.REHABILITATION, actor=coordinator, reason="x")
    assert exc.value.message_dict == {"stage": [services.ALREADY_IN_STAGE % {"stage": "Rehabilitation"}]}
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.IDENTIFICATION, actor=coordinator, reason="x")
    assert exc.value.message_dict == {
        "stage": [services.STAGE_NOT_ALLOWED % {"current": "Rehabilitation", "target": "Identification"}]
    }

    case = services.case_move_to_stage(
        case=case, stage=Case.Stage.REINTEGRATION, actor=coordinator, reason="Assisted abroad by the agency"
    )
    assert case.stage == Case.Stage.REINTEGRATION
    change = case.stage_changes.order_by("-at", "-pk").first()
    assert (change.event, change.actor, change.reason) == (
        StageChange.Event.MANUAL,
        coordinator,
        "Assisted abroad by the agency",
    )
    # A decision with a reason stands: the check does not call it a disagreement.
    assert lifecycle.integrity_problems() == []


def test_a_presumed_victim_is_not_moved_into_state_funded_assistance(police, coordinator, caseworker):
    case = accepted_case(police, coordinator, caseworker)
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.REHABILITATION, actor=coordinator, reason="x")
    assert exc.value.message_dict == {
        "stage": [services.MOVE_NEEDS_IDENTIFIED_VICTIM % {"stage": "Rehabilitation"}]
    }


# --- the integrity check ----------------------------------------------------------------------


def test_check_case_integrity_lists_a_case_written_around_the_services(
    identified, police, coordinator, caseworker
):
    out = StringIO()
    call_command("check_case_integrity", stdout=out)
    assert "Every case agrees" in out.getvalue()

    other = accepted_case(police, coordinator, caseworker)
    Case.objects.filter(pk=other.pk).update(stage=Case.Stage.REINTEGRATION)
    Case.objects.filter(pk=identified.pk).update(victim_status=Case.VictimStatus.PRESUMED)
    out = StringIO()
    with pytest.raises(CommandError, match="2 disagreement"):
        call_command("check_case_integrity", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"{other.reference}\tstage\trecorded reintegration\timplied identification" in lines
    assert f"{identified.reference}\tvictim_status\trecorded presumed\timplied identified" in lines


# --- closing and reopening --------------------------------------------------------------------


def test_close_and_reopen_return_to_the_stage_the_records_imply(
    identified, coordinator, caseworker, caseworker2, riga, national
):
    case = identified
    reintegration_services.referral_create(
        **CONSENT, case=case, partner=riga, needs_note="Housing", actor=caseworker
    )
    with pytest.raises(ValidationError) as exc:
        services.case_close(case=case, actor=coordinator, reason="")
    assert exc.value.message_dict == {"reason": [services.CLOSE_NEEDS_REASON]}
    case = services.case_close(case=case, actor=coordinator, reason="Moved abroad")
    assert not permissions.can(caseworker, Action.VIEW_CASE, case)

    with pytest.raises(PermissionDenied):
        services.case_reopen(case=case, actor=caseworker, reason="x")
    with pytest.raises(PermissionDenied):
        services.case_reopen(case=case, actor=national, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.case_reopen(case=case, actor=coordinator, reason="  ")
    assert exc.value.message_dict == {"reason": [services.REOPEN_NEEDS_REASON]}

    case = services.case_reopen(
        case=case, actor=coordinator, reason="Trafficked again", caseworker=caseworker2
    )
    assert case.stage == Case.Stage.REINTEGRATION and case.closed_at is None
    assert permissions.can(caseworker2, Action.CHANGE_CASE, case)
    assert not permissions.can(caseworker, Action.VIEW_CASE, case)  # granted again only by assignment
    assert [e for e, _f, _t in events(case)][-2:] == [StageChange.Event.CLOSED, StageChange.Event.REOPENED]
    assert (
        history_reason_text(case.history.first().history_change_reason) == "Case reopened: Trafficked again"
    )

    with pytest.raises(ValidationError) as exc:
        services.case_reopen(case=case, actor=coordinator, reason="again")
    assert exc.value.messages == [services.NOT_CLOSED % {"stage": "Reintegration"}]
    assert lifecycle.integrity_problems() == []


# --- the post-course follow-up ----------------------------------------------------------------


def test_follow_up_waits_for_the_window_and_alerts_when_it_ends(identified, coordinator, caseworker, riga):
    case = identified
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.FOLLOW_UP, actor=coordinator, reason="done")
    assert exc.value.messages == [
        "The follow-up comes after a rehabilitation course, and this case has none."
    ]

    start = TODAY() - datetime.timedelta(days=100)
    Case.objects.filter(pk=case.pk).update(opened_on=start)
    rehabilitation_services.course_start(case=case, start_date=start, actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.FOLLOW_UP, actor=coordinator, reason="done")
    assert exc.value.messages == [
        "The rehabilitation course is still running: end it before the follow-up starts."
    ]

    end = start + datetime.timedelta(days=89)
    rehabilitation_services.course_end(
        case=case, ended_on=end, status="ended_early", actor=caseworker, reason="Goals reached"
    )
    referral = reintegration_services.referral_create(
        **CONSENT, case=case, partner=riga, needs_note="Housing", actor=caseworker
    )
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.FOLLOW_UP, actor=coordinator, reason="done")
    assert "An onward referral is still active" in exc.value.messages[0]
    reintegration_services.referral_withdraw(referral=referral, actor=caseworker, reason="Not needed")

    case = services.case_move_to_stage(
        case=case,
        stage=Case.Stage.FOLLOW_UP,
        actor=coordinator,
        reason="Course over; five consultations remain",
    )
    assert case.stage == Case.Stage.FOLLOW_UP
    assert lifecycle.integrity_problems() == []

    # Nothing while the window is open; once it has ended, one alert, raised once.
    last = end.replace(year=end.year + 2)
    jobs.enforce_limits(today=last)
    assert not Alert.objects.filter(case=case, kind=Alert.Kind.FOLLOW_UP_ENDED).exists()
    jobs.enforce_limits(today=last + datetime.timedelta(days=1))
    jobs.enforce_limits(today=last + datetime.timedelta(days=5))
    alert = Alert.objects.get(case=case, kind=Alert.Kind.FOLLOW_UP_ENDED)
    assert alert.due_on == last + datetime.timedelta(days=1)
    assert alert.history.first().history_type == "+"
    case = services.case_close(case=case, actor=coordinator, reason="Follow-up over")
    assert case.stage == Case.Stage.CLOSED


# --- transfers --------------------------------------------------------------------------------


def test_transfer_to_another_ngo_moves_the_case_and_its_access(
    identified, coordinator, caseworker, other_ngo, other_coordinator, other_caseworker, mandated_ngo
):
    case = identified
    with pytest.raises(PermissionDenied):
        services.case_transfer_propose(case=case, to_organisation=other_ngo, actor=caseworker, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.case_transfer_propose(case=case, to_organisation=mandated_ngo, actor=coordinator, reason="x")
    assert exc.value.message_dict == {
        "organisation": [services.TRANSFER_SAME_NGO % {"name": mandated_ngo.name}]
    }
    with pytest.raises(ValidationError) as exc:
        services.case_transfer_propose(case=case, to_organisation=other_ngo, actor=coordinator, reason="")
    assert exc.value.message_dict == {"reason": [services.TRANSFER_NEEDS_REASON]}

    transfer = services.case_transfer_propose(
        case=case, to_organisation=other_ngo, actor=coordinator, reason="The person moved to Liepāja"
    )
    with pytest.raises(ValidationError) as exc:
        services.case_transfer_propose(
            case=case, to_organisation=other_ngo, actor=coordinator, reason="again"
        )
    assert exc.value.messages == [services.TRANSFER_ALREADY_PROPOSED % {"name": other_ngo.name}]
    # Nothing moves until the receiving coordinator accepts; the sender cannot accept for them.
    assert not permissions.can(other_coordinator, Action.VIEW_CASE, case)
    with pytest.raises(PermissionDenied):
        services.case_transfer_accept(transfer=transfer, actor=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.case_transfer_decline(transfer=transfer, actor=other_coordinator, reason="")
    assert exc.value.message_dict == {"reason": [services.DECLINE_NEEDS_REASON]}

    services.case_transfer_accept(transfer=transfer, actor=other_coordinator, caseworker=other_caseworker)
    case = Case.objects.get(pk=case.pk)
    assert case.organisation == other_ngo
    assert permissions.can(other_coordinator, Action.VIEW_CASE, case)
    assert permissions.can(other_caseworker, Action.CHANGE_CASE, case)
    assert not permissions.can(caseworker, Action.VIEW_CASE, case)
    assert not permissions.can(coordinator, Action.VIEW_CASE, case)
    assert (
        history_reason_text(case.history.first().history_change_reason)
        == f"Transferred from {mandated_ngo.name} to {other_ngo.name}"
    )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (CaseTransfer.Status.ACCEPTED, other_coordinator)
    with pytest.raises(ValidationError) as exc:
        services.case_transfer_decline(transfer=transfer, actor=other_coordinator, reason="late")
    assert exc.value.messages == [services.TRANSFER_NOT_OPEN % {"status": "accepted"}]


def test_a_declined_transfer_leaves_the_case_where_it_was(
    identified, coordinator, other_ngo, other_coordinator
):
    transfer = services.case_transfer_propose(
        case=identified, to_organisation=other_ngo, actor=coordinator, reason="Moved"
    )
    services.case_transfer_decline(transfer=transfer, actor=other_coordinator, reason="No capacity")
    assert Case.objects.get(pk=identified.pk).organisation_id == coordinator.organisation_id
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decline_reason) == (CaseTransfer.Status.DECLINED, "No capacity")
