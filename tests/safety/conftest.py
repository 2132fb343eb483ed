import datetime

import pytest
from django.utils import timezone

from cases.models import RiskLevel
from safety import services
from tests.factories import PersonFactory, make_case

PHONE = "+371 29999123"
EMAIL = "hidden.person@example.invalid"
ADDRESS = "Slepenā iela 7-13, Rīga"
INSTRUCTIONS = "Never call before 18:00; no letters to the registered address."


def assess(case, actor, level=RiskLevel.HIGH, **extra):
    today = timezone.localdate()
    return services.risk_assessment_record(
        case=case,
        actor=actor,
        level=level,
        next_review_on=extra.pop("next_review_on", today + datetime.timedelta(days=30)),
        factors=extra.pop("factors", {"threats": (True, "Threats by phone")}),
        **extra,
    )


@pytest.fixture
def high_risk_case(mandated_ngo, caseworker, coordinator):
    """A high-risk case whose caseworker the coordinator assigned (so the coordinator is named)."""
    from cases import services as case_services

    person = PersonFactory(
        given_name="Roberts", family_name="Kalējs", phone=PHONE, email=EMAIL, address=ADDRESS
    )
    case = make_case(organisation=mandated_ngo, person=person)
    case_services.case_assign_caseworker(case=case, caseworker=caseworker, actor=coordinator)
    assess(case, caseworker)
    services.safe_contact_instructions_set(case=case, actor=caseworker, instructions=INSTRUCTIONS)
    case.refresh_from_db()
    return case


@pytest.fixture
def coordinator2(mandated_ngo):
    from cases.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="coordinator2",
        organisation=mandated_ngo,
        roles=[Role.COORDINATOR],
        first_name="Inga",
        last_name="Lāce",
        email="coordinator2@example.invalid",
    )
