"""Helpers for the stage-2 tests: cases with a person of a given citizenship, and valid documents."""

import datetime

from cases.models import Case
from tests.factories import PersonFactory, make_case

DAY = datetime.date(2026, 3, 2)

DOCUMENTS = {
    "criminal_procedure_decision": {
        "cp_case_number": "11816001026",
        "cp_date": DAY,
        "cp_body": "State police",
    },
    "law_enforcement_statement": {
        "le_institution": "Policie České republiky",
        "le_country": "CZ",
        "le_number": "KRPA-1",
        "le_date": DAY,
    },
    "expert_commission_report": {
        "commission_date": DAY,
        "commission_members": [
            {"name": "A. Kalna", "profession": "social worker"},
            {"name": "M. Priede", "profession": "psychologist"},
        ],
    },
}


def case_with(*, organisation, caseworkers=(), citizenships=("LV",), stateless=False, identified=False):
    person = PersonFactory(citizenships=list(citizenships), stateless=stateless)
    changes = {"victim_status": Case.VictimStatus.IDENTIFIED} if identified else {}
    return make_case(organisation=organisation, person=person, caseworkers=caseworkers, **changes)
