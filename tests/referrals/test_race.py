"""Two coordinators deciding on the same referral at once: the row lock lets one through."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases.models import Case
from referrals import services
from referrals.models import Referral

from .factories import submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_coordinators_accepting_at_once_open_one_case(police, coordinator, caseworker, other_ngo_worker):
    from cases.models import Role
    from tests.factories import UserFactory

    other_caseworker = UserFactory(
        username="other_cw", organisation=other_ngo_worker.organisation, roles=[Role.CASEWORKER]
    )
    referral = submit(police)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(actor, worker):
        try:
            barrier.wait()
            services.referral_accept(referral=referral, actor=actor, caseworker=worker)
            outcomes.append("accepted")
        except ValidationError as error:
            outcomes.append(error.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(coordinator, caseworker)),
        threading.Thread(target=accept, args=(other_ngo_worker, other_caseworker)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == sorted(
        ["accepted", str([str(services.NOT_WAITING % {"status": "accepted"})])]
    )
    assert Case.objects.count() == 1
    assert Referral.objects.get().status == Referral.Status.ACCEPTED
