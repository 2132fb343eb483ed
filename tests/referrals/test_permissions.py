"""Who is a first responder, and the role x action matrix of referrals/permissions.py."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Organisation, Role, TrainingRecord
from referrals import permissions
from referrals.permissions import Action
from tests.factories import OrganisationFactory, UserFactory

from .factories import submit

pytestmark = pytest.mark.django_db


def _specialist(username, training=None):
    clinic = OrganisationFactory(name="Clinic", kind=Organisation.Kind.OTHER_SPECIALIST)
    user = UserFactory(username=username, organisation=clinic, roles=[Role.FIRST_RESPONDER])
    if training is not None:
        completed, valid_until = training
        TrainingRecord.objects.create(
            user=user, title="THB", provider="MoI", completed_on=completed, valid_until=valid_until
        )
    return user


def test_who_is_a_first_responder(all_role_users):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    users = dict(all_role_users)
    users["nurse_trained"] = _specialist("nurse1", (today - 30 * day, today + 30 * day))
    users["nurse_no_expiry"] = _specialist("nurse2", (today - 30 * day, None))
    users["nurse_expired"] = _specialist("nurse3", (today - 400 * day, today - day))
    users["nurse_future"] = _specialist("nurse4", (today + day, None))
    users["nurse_untrained"] = _specialist("nurse5")
    social = OrganisationFactory(
        name="Jelgava social service", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Jelgava"
    )
    users["social_responder"] = UserFactory(
        username="social", organisation=social, roles=[Role.FIRST_RESPONDER]
    )
    consular = OrganisationFactory(name="Embassy", kind=Organisation.Kind.CONSULAR, country="GB")
    users["consul"] = UserFactory(username="consul", organisation=consular, roles=[Role.FIRST_RESPONDER])
    inactive = UserFactory(
        username="gone",
        organisation=all_role_users["police"].organisation,
        roles=[Role.FIRST_RESPONDER],
        is_active=False,
    )
    users["inactive_police"] = inactive

    responders = {name for name, user in users.items() if permissions.can(user, Action.CREATE)}
    assert responders == {
        "police",
        "border",
        "nurse_trained",
        "nurse_no_expiry",
        "social_responder",
        "consul",
    }


def test_action_matrix_on_a_submitted_referral(all_role_users, police_colleague):
    referral = submit(all_role_users["police"])
    users = {**all_role_users, "police_colleague": police_colleague}
    expected = {
        "police": {Action.VIEW},
        "police_colleague": {Action.VIEW},
        "border": set(),
        "caseworker": set(),
        "caseworker2": set(),
        "coordinator": {Action.VIEW, Action.DECIDE},
        "other_ngo_worker": {Action.VIEW, Action.DECIDE},
        "municipality": set(),
        "employment": set(),
        "national": set(),
        "admin": set(),
    }
    seen = {
        name: {
            a for a in (Action.VIEW, Action.EDIT_DRAFT, Action.DECIDE) if permissions.can(user, a, referral)
        }
        for name, user in users.items()
    }
    assert seen == expected


def test_a_draft_is_its_authors_only(police, police_colleague, coordinator):
    from referrals import services

    draft = services.referral_save_draft(actor=police, data={"given_name": "Olena"})
    assert permissions.can(police, Action.VIEW, draft) and permissions.can(police, Action.EDIT_DRAFT, draft)
    for other in (police_colleague, coordinator):
        assert not permissions.can(other, Action.VIEW, draft)
        assert not permissions.can(other, Action.EDIT_DRAFT, draft)


def test_list_and_counts_by_role(all_role_users):
    listing = {name for name, u in all_role_users.items() if permissions.can(u, Action.LIST)}
    assert listing == {"police", "border", "coordinator", "other_ngo_worker", "national"}
    counting = {name for name, u in all_role_users.items() if permissions.can(u, Action.VIEW_COUNTS)}
    assert counting == {"coordinator", "other_ngo_worker", "national"}


def test_first_responder_check_costs_queries_once(police, django_assert_num_queries):
    from cases.models import User

    user = User.objects.get(pk=police.pk)
    with django_assert_num_queries(2):  # roles, organisation
        for _ in range(3):
            assert permissions.is_first_responder(user)
