"""A minor's legal representative: recorded by those who work the case, shown to them, not to partners."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases import services
from cases.models import LegalRepresentative
from tests.factories import CONSENT, PersonFactory, make_case

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


@pytest.fixture
def minor_case(mandated_ngo, caseworker):
    person = PersonFactory(
        given_name="Laura",
        family_name="Ozola",
        date_of_birth=None,
        estimated_age=15,
        estimated_age_on=timezone.localdate(),
    )
    return make_case(organisation=mandated_ngo, person=person, caseworkers=[caseworker])


def test_the_case_page_asks_for_a_representative_of_a_minor_and_records_one(client, caseworker, minor_case):
    client.force_login(caseworker)
    html = client.get(minor_case.get_absolute_url()).content.decode()
    assert "No legal representative is on record for this minor" in html
    url = reverse("cases:representative_add", kwargs={"reference": minor_case.reference})
    assert url in html
    refused = client.post(url, {"kind": "orphans_court", "name": "Rīgas bāriņtiesa"})
    assert refused.status_code == 400
    assert escape(str(services.ORPHANS_COURT_NEEDS_DECISION)) in refused.content.decode()
    assert not LegalRepresentative.objects.exists()
    done = client.post(
        url,
        {
            "kind": "orphans_court",
            "name": "Rīgas bāriņtiesa",
            "decision_number": "BT-12/2026",
            "decision_date": "2026-02-03",
        },
    )
    assert done.status_code == 302
    rep = LegalRepresentative.objects.get()
    assert rep.history.get().history_user == caseworker
    html = client.get(minor_case.get_absolute_url()).content.decode()
    assert "No legal representative is on record" not in html
    assert "Rīgas bāriņtiesa" in html and "BT-12/2026" in html


def test_refusals_and_ending(caseworker, coordinator, national, minor_case, case_of_caseworker):
    with pytest.raises(ValidationError) as excinfo:
        services.legal_representative_add(case=minor_case, actor=caseworker, kind="", name=" ")
    assert messages_of(excinfo) == {
        "kind": [str(services.REPRESENTATIVE_KIND_REQUIRED)],
        "name": [str(services.REPRESENTATIVE_NAME_REQUIRED)],
    }
    with pytest.raises(ValidationError) as excinfo:
        services.legal_representative_add(
            case=minor_case,
            actor=caseworker,
            kind="guardian",
            name="Anna",
            decision_date=timezone.localdate() + datetime.timedelta(days=3),
        )
    assert messages_of(excinfo) == {"decision_date": [str(services.DECISION_DATE_IN_FUTURE)]}
    # The person of case_of_caseworker is an adult by the date of birth.
    case_of_caseworker.person.date_of_birth = datetime.date(1990, 1, 1)
    case_of_caseworker.person.save()
    with pytest.raises(ValidationError) as excinfo:
        services.legal_representative_add(case=case_of_caseworker, actor=caseworker, kind="parent", name="X")
    assert messages_of(excinfo) == {"kind": [str(services.REPRESENTATIVE_FOR_AN_ADULT)]}
    with pytest.raises(PermissionDenied):
        services.legal_representative_add(case=minor_case, actor=national, kind="parent", name="Inese Ozola")
    rep = services.legal_representative_add(
        case=minor_case, actor=coordinator, kind="parent", name="Inese Ozola"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.legal_representative_end(representative=rep, actor=caseworker, reason="")
    assert messages_of(excinfo) == {"reason": [str(services.REPRESENTATIVE_END_NEEDS_REASON)]}
    services.legal_representative_end(representative=rep, actor=caseworker, reason="A guardian was appointed")
    rep.refresh_from_db()
    assert rep.ended_by == caseworker and not rep.is_current
    with pytest.raises(ValidationError):
        services.legal_representative_end(representative=rep, actor=caseworker, reason="again")


def test_national_coordinator_reads_it_partners_do_not(
    client, caseworker, national, municipality, minor_case
):
    from reintegration import services as reintegration

    services.legal_representative_add(case=minor_case, actor=caseworker, kind="parent", name="Inese Ozola")
    client.force_login(national)
    html = client.get(minor_case.get_absolute_url()).content.decode()
    assert "Inese Ozola" in html
    assert reverse("cases:representative_add", kwargs={"reference": minor_case.reference}) not in html
    assert (
        client.get(
            reverse("cases:representative_add", kwargs={"reference": minor_case.reference})
        ).status_code
        == 403
    )
    referral = reintegration.referral_create(
        **CONSENT, case=minor_case, partner=municipality.organisation, needs_note="School", actor=caseworker
    )
    client.force_login(municipality)
    narrow = client.get(reverse("reintegration:detail", kwargs={"pk": referral.pk}))
    assert narrow.status_code == 200 and "Inese Ozola" not in narrow.content.decode()
