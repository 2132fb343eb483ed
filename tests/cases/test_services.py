import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_user_perms

from cases import services
from cases.models import Case, CaseAssignment, CaseUserObjectPermission, Organisation, Role
from cases.selectors import history_reason_text
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


def test_case_open_gives_yearly_references(mandated_ngo, coordinator):
    import datetime

    a = services.case_open(
        person=PersonFactory(),
        organisation=mandated_ngo,
        actor=coordinator,
        opened_on=datetime.date(2026, 3, 1),
    )
    b = services.case_open(
        person=PersonFactory(),
        organisation=mandated_ngo,
        actor=coordinator,
        opened_on=datetime.date(2026, 4, 1),
    )
    c = services.case_open(
        person=PersonFactory(),
        organisation=mandated_ngo,
        actor=coordinator,
        opened_on=datetime.date(2027, 1, 2),
    )
    assert [a.reference, b.reference, c.reference] == ["NRM-2026-0001", "NRM-2026-0002", "NRM-2027-0001"]
    assert a.stage == Case.Stage.IDENTIFICATION and a.victim_status == Case.VictimStatus.PRESUMED
    record = a.history.get()
    assert record.history_user == coordinator and record.history_type == "+"


def test_case_open_refuses_an_organisation_that_is_not_the_mandated_ngo(police, coordinator):
    with pytest.raises(ValidationError) as exc:
        services.case_open(person=PersonFactory(), organisation=police.organisation, actor=coordinator)
    assert exc.value.messages == [services.NOT_A_MANDATED_NGO % {"name": police.organisation.name}]
    assert not Case.objects.exists()


def test_assign_grants_and_unassign_revokes_object_permissions(mandated_ngo, caseworker, coordinator):
    case = make_case(organisation=mandated_ngo)
    assignment = services.case_assign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
    assert set(get_user_perms(caseworker, case)) == {"view_case", "change_case"}
    assert assignment.history.get().history_user == coordinator
    assert CaseUserObjectPermission.history.filter(history_type="+", history_user=coordinator).count() == 2

    services.case_unassign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
    assert set(get_user_perms(caseworker, case)) == set()
    assignment.refresh_from_db()
    assert assignment.ended_by == coordinator and assignment.ended_at is not None
    # Each revocation kept its own history row with the actor.
    assert CaseUserObjectPermission.history.filter(history_type="-", history_user=coordinator).count() == 2


def test_assign_refuses_a_non_caseworker_and_another_ngos_worker(
    mandated_ngo, coordinator, other_ngo_worker, police
):
    case = make_case(organisation=mandated_ngo)
    for outsider in (other_ngo_worker, police, coordinator):
        with pytest.raises(ValidationError) as exc:
            services.case_assign_caseworker(case=case, caseworker=outsider, actor=coordinator)
        assert exc.value.message_dict["caseworker"] == [
            services.NOT_ASSIGNABLE % {"name": outsider.display_name}
        ]
    assert not CaseAssignment.objects.exists()


def test_assign_twice_is_refused_with_the_message(mandated_ngo, caseworker, coordinator):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as exc:
        services.case_assign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
    assert exc.value.message_dict["caseworker"] == [
        services.ALREADY_ASSIGNED % {"name": caseworker.display_name}
    ]


def test_only_a_coordinator_of_the_ngo_assigns(
    mandated_ngo, caseworker, caseworker2, national, other_ngo_worker
):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    for actor in (caseworker, national, other_ngo_worker):
        with pytest.raises(PermissionDenied):
            services.case_assign_caseworker(case=case, caseworker=caseworker2, actor=actor)


def test_unassign_someone_not_assigned(mandated_ngo, caseworker, coordinator):
    case = make_case(organisation=mandated_ngo)
    with pytest.raises(ValidationError) as exc:
        services.case_unassign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
    assert exc.value.message_dict["caseworker"] == [services.NOT_ASSIGNED % {"name": caseworker.display_name}]


def test_stage_moves_follow_allowed_transitions(mandated_ngo, coordinator):
    case = make_case(organisation=mandated_ngo)
    case = services.case_set_victim_status(case=case, status=Case.VictimStatus.IDENTIFIED, actor=coordinator)
    case = services.case_move_to_stage(
        case=case, stage=Case.Stage.REHABILITATION, actor=coordinator, reason="Identified"
    )
    assert case.stage == Case.Stage.REHABILITATION
    last = case.history.first()
    assert last.history_user == coordinator
    assert history_reason_text(last.history_change_reason) == "Moved by a coordinator: Identified"
    with pytest.raises(ValidationError) as exc:
        services.case_move_to_stage(case=case, stage=Case.Stage.IDENTIFICATION, actor=coordinator)
    assert exc.value.messages == [
        services.STAGE_NOT_ALLOWED
        % {"current": Case.Stage.REHABILITATION.label, "target": Case.Stage.IDENTIFICATION.label}
    ]


def test_victim_status_transitions(mandated_ngo, coordinator):
    case = make_case(organisation=mandated_ngo)
    case = services.case_set_victim_status(case=case, status=Case.VictimStatus.IDENTIFIED, actor=coordinator)
    assert case.victim_status == Case.VictimStatus.IDENTIFIED
    with pytest.raises(ValidationError) as exc:
        services.case_set_victim_status(case=case, status=Case.VictimStatus.PRESUMED, actor=coordinator)
    assert exc.value.messages == [
        services.STATUS_NOT_ALLOWED
        % {"current": Case.VictimStatus.IDENTIFIED.label, "target": Case.VictimStatus.PRESUMED.label}
    ]


def test_close_needs_a_reason_and_a_coordinator(mandated_ngo, caseworker, coordinator):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as exc:
        services.case_close(case=case, actor=coordinator, reason="  ")
    assert exc.value.message_dict["reason"] == [services.CLOSE_NEEDS_REASON]
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, actor=caseworker, reason="Because")
    case = services.case_close(case=case, actor=coordinator, reason="Person left the country")
    assert case.stage == Case.Stage.CLOSED and case.closed_at is not None
    assert (
        history_reason_text(case.history.first().history_change_reason)
        == "Case closed: Person left the country"
    )
    with pytest.raises(PermissionDenied):
        services.case_close(case=case, actor=coordinator, reason="again")


def test_roles_must_fit_the_organisation(police, sysadmin):
    with pytest.raises(ValidationError) as exc:
        services.user_grant_role(user=police, role=Role.CASEWORKER, actor=None)
    assert exc.value.messages == [
        services.ROLE_NOT_FOR_KIND % {"kind": Organisation.Kind.POLICE.label, "role": Role.CASEWORKER.label}
    ]
    grant = services.user_grant_role(user=police, role=Role.SYSTEM_ADMINISTRATOR, actor=sysadmin)
    assert grant.role == Role.SYSTEM_ADMINISTRATOR
    assert grant.history.get().history_user == sysadmin
    # Granting a role the user holds already changes nothing.
    assert services.user_grant_role(user=police, role=Role.SYSTEM_ADMINISTRATOR, actor=None) == grant
    assert grant.history.count() == 1


def test_a_role_needs_an_organisation(police):
    police.organisation = None
    with pytest.raises(ValidationError) as exc:
        services.user_grant_role(user=police, role=Role.CASEWORKER, actor=None)
    assert exc.value.messages == ["A user needs an organisation before they can hold a role."]


def test_organisation_constraints():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="No municipality", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="No country", kind=Organisation.Kind.NGO_FOREIGN)
    assert OrganisationFactory(
        name="Jelgava", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Jelgava"
    ).pk


def test_access_record_refused_for_someone_who_may_not_see(case_of_caseworker, caseworker2, caseworker):
    with pytest.raises(PermissionDenied):
        services.case_access_record(case=case_of_caseworker, actor=caseworker2)
    access = services.case_access_record(case=case_of_caseworker, actor=caseworker)
    assert access.organisation_id == caseworker.organisation_id


def test_user_factory_roles_are_visible(mandated_ngo):
    user = UserFactory(organisation=mandated_ngo, roles=[Role.CASEWORKER, Role.COORDINATOR])
    from cases.permissions import user_roles

    assert user_roles(user) == {Role.CASEWORKER, Role.COORDINATOR}
