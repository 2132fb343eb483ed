import pytest

from tests.rehabilitation.factories import identified_case


@pytest.fixture
def rcase(mandated_ngo, caseworker):
    """An identified victim's case assigned to `caseworker`."""
    return identified_case(organisation=mandated_ngo, caseworkers=[caseworker])


@pytest.fixture
def rcase2(mandated_ngo, caseworker2):
    return identified_case(organisation=mandated_ngo, caseworkers=[caseworker2])
