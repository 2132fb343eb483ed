"""Identification: exactly one ground with its document, and the second pair of eyes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases import services as case_services
from cases.models import Case, Role
from cases.selectors import history_reason_text
from services import services
from services.models import (
    FIELD_NEEDED_FOR_GROUND,
    FIELD_OF_ANOTHER_GROUND,
    MEMBER_INCOMPLETE,
    MEMBERS_NEEDED,
    NOT_IDENTIFIED_NEEDS_REASON,
    Identification,
)
from tests.factories import UserFactory

from .factories import DOCUMENTS

pytestmark = pytest.mark.django_db

REQUIRED = {
    "criminal_procedure_decision": [
        ("cp_case_number", "criminal case number"),
        ("cp_date", "date of the decision"),
        ("cp_body", "body that took the decision"),
    ],
    "law_enforcement_statement": [
        ("le_institution", "law-enforcement institution"),
        ("le_country", "country of the institution"),
        ("le_number", "statement number"),
        ("le_date", "date of the statement"),
    ],
    "expert_commission_report": [("commission_date", "date of the report")],
}
GROUND_LABEL = {
    "criminal_procedure_decision": "decision of the performer of the criminal procedure",
    "law_enforcement_statement": "statement of a law-enforcement institution",
    "expert_commission_report": "assessment report of the Commission of experts",
}


def _errors(excinfo):
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


@pytest.mark.parametrize("ground", sorted(DOCUMENTS))
def test_each_ground_with_its_document_is_proposed(ground, caseworker, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker, actor=caseworker, ground=ground, **DOCUMENTS[ground]
    )
    proposal.refresh_from_db()
    assert proposal.status == Identification.Status.PROPOSED
    assert proposal.ground == ground
    assert proposal.proposed_by == caseworker
    # Proposing does not identify anybody.
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.PRESUMED
    record = proposal.history.get()
    assert record.history_user == caseworker and record.history_type == "+"


@pytest.mark.parametrize(
    ("ground", "field", "label"), [(g, f, label) for g, fields in REQUIRED.items() for f, label in fields]
)
def test_a_missing_document_field_is_refused_with_its_message(
    ground, field, label, caseworker, case_of_caseworker
):
    document = dict(DOCUMENTS[ground])
    document[field] = None if field.endswith("date") else ""
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(case=case_of_caseworker, actor=caseworker, ground=ground, **document)
    assert _errors(excinfo) == {
        field: [FIELD_NEEDED_FOR_GROUND % {"field": label, "ground": GROUND_LABEL[ground]}]
    }
    assert str(_errors(excinfo)[field][0]).startswith(f"Enter the {label}; the ")
    assert not Identification.objects.exists()


def test_the_commission_needs_its_members_with_professions(caseworker, case_of_caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="expert_commission_report",
            commission_date=DOCUMENTS["expert_commission_report"]["commission_date"],
        )
    assert _errors(excinfo) == {"commission_members": [str(MEMBERS_NEEDED)]}
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="expert_commission_report",
            commission_date=DOCUMENTS["expert_commission_report"]["commission_date"],
            commission_members=[
                {"name": "A. Kalna", "profession": "social worker"},
                {"name": "M. Priede", "profession": ""},
            ],
        )
    assert _errors(excinfo) == {"commission_members": [MEMBER_INCOMPLETE % {"n": 2}]}


def test_exactly_one_ground_a_second_grounds_field_is_refused(caseworker, case_of_caseworker):
    document = {**DOCUMENTS["criminal_procedure_decision"], "le_number": "KRPA-1"}
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker, actor=caseworker, ground="criminal_procedure_decision", **document
        )
    assert _errors(excinfo) == {"le_number": [FIELD_OF_ANOTHER_GROUND % {"field": "statement number"}]}


def test_the_database_holds_exactly_one_ground(caseworker, case_of_caseworker):
    with pytest.raises(IntegrityError), transaction.atomic():
        Identification.objects.create(
            case=case_of_caseworker,
            ground="criminal_procedure_decision",
            proposed_by=caseworker,
            **{**DOCUMENTS["criminal_procedure_decision"], "le_number": "X"},
        )


def test_coordinator_approves_and_the_person_is_identified(caseworker, coordinator, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    services.identification_approve(identification=proposal, actor=coordinator)
    proposal.refresh_from_db()
    case_of_caseworker.refresh_from_db()
    assert proposal.status == Identification.Status.APPROVED and proposal.decided_by == coordinator
    assert case_of_caseworker.victim_status == Case.VictimStatus.IDENTIFIED
    # History rows carry the acting user: the proposal by the caseworker, the approval and the
    # victim status by the coordinator.
    rows = list(proposal.history.order_by("history_date").values_list("history_user__username", "status"))
    assert rows == [("caseworker", "proposed"), ("coordinator", "approved")]
    latest = case_of_caseworker.history.latest("history_date")
    assert latest.history_user == coordinator and latest.victim_status == "identified"
    assert (
        history_reason_text(latest.history_change_reason)
        == "Identification approved: decision of the performer of the criminal procedure"
    )


def test_the_proposer_cannot_approve_their_own_proposal(coordinator, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=coordinator,
        ground="law_enforcement_statement",
        **DOCUMENTS["law_enforcement_statement"],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.identification_approve(identification=proposal, actor=coordinator)
    assert excinfo.value.messages == [str(services.FOUR_EYES)]
    with pytest.raises(ValidationError) as excinfo:
        services.identification_return(identification=proposal, actor=coordinator, reason="Looks wrong")
    assert excinfo.value.messages == [str(services.FOUR_EYES)]
    proposal.refresh_from_db()
    assert proposal.status == Identification.Status.PROPOSED
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.PRESUMED


def test_a_user_with_both_roles_cannot_approve_what_they_proposed(
    mandated_ngo, coordinator, case_of_caseworker
):
    both = UserFactory(username="both", organisation=mandated_ngo, roles=[Role.CASEWORKER, Role.COORDINATOR])
    case_services.case_assign_caseworker(case=case_of_caseworker, caseworker=both, actor=coordinator)
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=both,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.identification_approve(identification=proposal, actor=both)
    assert excinfo.value.messages == [str(services.FOUR_EYES)]
    # Another coordinator can.
    services.identification_approve(identification=proposal, actor=coordinator)
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.IDENTIFIED


def test_the_database_refuses_a_self_decided_proposal(coordinator, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=coordinator,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Identification.objects.filter(pk=proposal.pk).update(
            status="approved", decided_by=coordinator, decided_at=timezone.now()
        )


@pytest.mark.parametrize("who", ["caseworker", "caseworker2", "other_ngo_worker", "national"])
def test_only_a_coordinator_of_the_ngo_decides(who, all_role_users, caseworker, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    with pytest.raises(PermissionDenied):
        services.identification_approve(identification=proposal, actor=all_role_users[who])


@pytest.mark.parametrize("who", ["caseworker2", "other_ngo_worker", "national", "police", "admin"])
def test_only_those_who_may_change_the_case_propose(who, all_role_users, case_of_caseworker):
    with pytest.raises(PermissionDenied):
        services.identification_propose(
            case=case_of_caseworker,
            actor=all_role_users[who],
            ground="criminal_procedure_decision",
            **DOCUMENTS["criminal_procedure_decision"],
        )


def test_returned_with_a_reason_then_proposed_again(caseworker, coordinator, case_of_caseworker):
    first = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="expert_commission_report",
        **DOCUMENTS["expert_commission_report"],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="criminal_procedure_decision",
            **DOCUMENTS["criminal_procedure_decision"],
        )
    assert excinfo.value.messages == [str(services.ALREADY_PROPOSED)]
    with pytest.raises(ValidationError) as excinfo:
        services.identification_return(identification=first, actor=coordinator, reason="  ")
    assert excinfo.value.message_dict == {"reason": [str(services.RETURN_NEEDS_REASON)]}
    services.identification_return(
        identification=first, actor=coordinator, reason="Name every member of the Commission."
    )
    first.refresh_from_db()
    assert first.status == "returned" and first.return_reason == "Name every member of the Commission."
    record = first.history.latest("history_date")
    assert (
        record.history_user == coordinator
        and record.history_change_reason == "Name every member of the Commission."
    )
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.PRESUMED
    with pytest.raises(ValidationError) as excinfo:
        services.identification_approve(identification=first, actor=coordinator)
    assert excinfo.value.messages == [services.NOT_AWAITING_REVIEW % {"status": "Returned"}]
    second = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    assert second.status == "proposed"


def test_not_identified_path_then_the_case_is_closed(caseworker, coordinator, case_of_caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="expert_commission_report",
            outcome="not_identified",
            **DOCUMENTS["expert_commission_report"],
        )
    assert excinfo.value.message_dict == {"outcome_reason": [str(NOT_IDENTIFIED_NEEDS_REASON)]}
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="expert_commission_report",
        outcome="not_identified",
        outcome_reason="The Commission found no indicators of trafficking.",
        **DOCUMENTS["expert_commission_report"],
    )
    services.identification_approve(identification=proposal, actor=coordinator)
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.victim_status == Case.VictimStatus.NOT_IDENTIFIED
    latest = case_of_caseworker.history.latest("history_date")
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "The Commission found no indicators of trafficking."
    # Decided: no new proposal, and the coordinator can close the case.
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="criminal_procedure_decision",
            **DOCUMENTS["criminal_procedure_decision"],
        )
    assert excinfo.value.messages == [services.ALREADY_DECIDED % {"status": "Not identified"}]
    case_services.case_close(case=case_of_caseworker, actor=coordinator, reason="Not identified.")
    case_of_caseworker.refresh_from_db()
    assert case_of_caseworker.stage == Case.Stage.CLOSED


def test_an_identified_victim_gets_no_second_proposal(caseworker, coordinator, case_of_caseworker):
    proposal = services.identification_propose(
        case=case_of_caseworker,
        actor=caseworker,
        ground="criminal_procedure_decision",
        **DOCUMENTS["criminal_procedure_decision"],
    )
    services.identification_approve(identification=proposal, actor=coordinator)
    with pytest.raises(ValidationError) as excinfo:
        services.identification_propose(
            case=case_of_caseworker,
            actor=caseworker,
            ground="law_enforcement_statement",
            **DOCUMENTS["law_enforcement_statement"],
        )
    assert excinfo.value.messages == [services.ALREADY_DECIDED % {"status": "Identified victim"}]
