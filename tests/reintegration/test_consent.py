"""The legal basis of an onward referral: the person's consent (when, how, what it covers) or
another basis a coordinator names; a withdrawn consent ends the partner's view, with history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reintegration import services
from reintegration.models import PartnerReferral
from tests.factories import CONSENT
from tests.reintegration.conftest import WITHHELD

pytestmark = pytest.mark.django_db

API = "/api/v1/reintegration/referrals/"


def messages_of(excinfo) -> dict:
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


def body(response) -> str:
    return response.content.decode()


def _refer(case, partner, actor, **basis):
    return services.referral_create(case=case, partner=partner, needs_note="Food", actor=actor, **basis)


# --- recording the basis ----------------------------------------------------------------------


def test_a_referral_without_a_legal_basis_is_refused(case_of_caseworker, caseworker, riga):
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, caseworker)
    assert messages_of(excinfo) == {"legal_basis": [str(services.LEGAL_BASIS_REQUIRED)]}
    assert not PartnerReferral.objects.exists()


def test_consent_needs_its_date_its_form_and_what_it_covers(case_of_caseworker, caseworker, riga):
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, caseworker, legal_basis="consent", consent_covers="  ")
    assert messages_of(excinfo) == {
        "consent_given_on": [str(services.CONSENT_DATE_REQUIRED)],
        "consent_how": [str(services.CONSENT_HOW_REQUIRED)],
        "consent_covers": [str(services.CONSENT_COVERS_REQUIRED)],
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, caseworker, **{**CONSENT, "consent_given_on": tomorrow})
    assert messages_of(excinfo) == {"consent_given_on": [str(services.CONSENT_DATE_IN_FUTURE)]}
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, caseworker, **{**CONSENT, "consent_how": "telepathy"})
    assert messages_of(excinfo) == {"consent_how": [str(services.CONSENT_HOW_REQUIRED)]}
    assert not PartnerReferral.objects.exists()


def test_consent_is_recorded_with_its_history(case_of_caseworker, caseworker, riga):
    referral = _refer(case_of_caseworker, riga, caseworker, **CONSENT, other_basis="ignored")
    referral.refresh_from_db()
    assert (referral.legal_basis, referral.consent_given_on, referral.consent_how) == (
        "consent",
        CONSENT["consent_given_on"],
        "signed_form",
    )
    assert referral.consent_covers == CONSENT["consent_covers"]
    assert referral.other_basis == ""  # only the chosen basis is kept
    assert referral.history.get().history_user == caseworker


def test_only_a_coordinator_shares_on_another_basis(case_of_caseworker, caseworker, coordinator, riga):
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, caseworker, legal_basis="other", other_basis="Social Services Law")
    assert messages_of(excinfo) == {"legal_basis": [str(services.OTHER_BASIS_COORDINATOR_ONLY)]}
    with pytest.raises(ValidationError) as excinfo:
        _refer(case_of_caseworker, riga, coordinator, legal_basis="other", other_basis=" ")
    assert messages_of(excinfo) == {"other_basis": [str(services.OTHER_BASIS_REQUIRED)]}
    assert not PartnerReferral.objects.exists()
    referral = _refer(
        case_of_caseworker, riga, coordinator, legal_basis="other", other_basis="Social Services Law, s. 9"
    )
    assert (referral.legal_basis, referral.other_basis, referral.consent_given_on) == (
        "other",
        "Social Services Law, s. 9",
        None,
    )


# --- withdrawing consent ----------------------------------------------------------------------


def test_withdrawn_consent_ends_the_partners_view_and_is_recorded(
    client, caseworker, municipality, riga_referral
):
    detail = reverse("reintegration:detail", kwargs={"pk": riga_referral.pk})
    client.force_login(municipality)
    assert client.get(detail).status_code == 200
    on = datetime.date(2026, 2, 1)
    services.referral_consent_withdraw(
        referral=riga_referral, actor=caseworker, withdrawn_on=on, note="Phoned the NGO"
    )
    riga_referral.refresh_from_db()
    assert riga_referral.status == "withdrawn" and riga_referral.withdrawn_by == caseworker
    assert (riga_referral.consent_withdrawn_on, riga_referral.consent_withdrawn_by) == (on, caseworker)
    latest = riga_referral.history.order_by("-history_id").first()
    assert latest.history_user == caseworker and latest.history_change_reason == "Phoned the NGO"
    assert latest.consent_withdrawn_on == on
    # The partner's page, list and API lose the case at once.
    assert client.get(detail).status_code == 404
    assert WITHHELD["note_to_riga"] not in body(client.get(reverse("reintegration:list")))
    assert client.get(f"{API}{riga_referral.pk}/").status_code == 404


def test_withdrawal_refusals(caseworker, coordinator, municipality, riga_referral, case_of_caseworker, nva):
    with pytest.raises(PermissionDenied):
        services.referral_consent_withdraw(
            referral=riga_referral, actor=municipality, withdrawn_on=datetime.date(2026, 2, 1)
        )
    with pytest.raises(ValidationError) as excinfo:
        services.referral_consent_withdraw(referral=riga_referral, actor=caseworker, withdrawn_on=None)
    assert messages_of(excinfo) == {"withdrawn_on": [str(services.WITHDRAWAL_DATE_REQUIRED)]}
    with pytest.raises(ValidationError) as excinfo:
        services.referral_consent_withdraw(
            referral=riga_referral, actor=caseworker, withdrawn_on=datetime.date(2025, 12, 31)
        )
    assert messages_of(excinfo) == {
        "withdrawn_on": [str(services.WITHDRAWAL_DATE_ORDER % {"date": "2026-01-02"})]
    }
    riga_referral.refresh_from_db()
    assert riga_referral.is_active and not riga_referral.consent_withdrawn
    services.referral_consent_withdraw(
        referral=riga_referral, actor=caseworker, withdrawn_on=datetime.date(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.referral_consent_withdraw(
            referral=riga_referral, actor=caseworker, withdrawn_on=datetime.date(2026, 2, 2)
        )
    assert excinfo.value.messages == [str(services.CONSENT_ALREADY_WITHDRAWN)]
    other = _refer(case_of_caseworker, nva, coordinator, legal_basis="other", other_basis="A law")
    with pytest.raises(ValidationError) as excinfo:
        services.referral_consent_withdraw(
            referral=other, actor=coordinator, withdrawn_on=datetime.date(2026, 2, 1)
        )
    assert excinfo.value.messages == [str(services.NOT_ON_CONSENT)]


def test_consent_withdrawn_after_the_partner_closed_their_part_is_still_recorded(
    caseworker, municipality, riga_referral
):
    services.referral_complete(referral=riga_referral, actor=municipality, outcome="Housed")
    services.referral_consent_withdraw(
        referral=riga_referral, actor=caseworker, withdrawn_on=datetime.date(2026, 3, 1)
    )
    riga_referral.refresh_from_db()
    assert riga_referral.status == "completed" and riga_referral.consent_withdrawn_on


# --- the case page, the form, the API ---------------------------------------------------------


def test_case_page_shows_what_the_person_consented_to_and_when(client, caseworker, riga_referral):
    client.force_login(caseworker)
    html = body(client.get(riga_referral.case.get_absolute_url()))
    assert "The person consented on 2026-01-02 (on a signed consent form) to:" in html
    assert CONSENT["consent_covers"] in html
    withdraw_url = reverse("reintegration:consent_withdraw", kwargs={"pk": riga_referral.pk})
    assert withdraw_url in html
    empty = client.post(withdraw_url, {"withdrawn_on": ""})
    assert empty.status_code == 400 and str(services.WITHDRAWAL_DATE_REQUIRED) in body(empty)
    done = client.post(withdraw_url, {"withdrawn_on": "2026-02-01", "note": ""})
    assert done.status_code == 302
    html = body(client.get(riga_referral.case.get_absolute_url()))
    assert "Consent withdrawn on 2026-02-01" in html
    assert withdraw_url not in html
    latest = riga_referral.history.order_by("-history_id").first()
    assert latest.history_change_reason == "The person withdrew their consent."


def test_the_partner_cannot_open_the_withdrawal_page(client, municipality, riga_referral):
    client.force_login(municipality)
    url = reverse("reintegration:consent_withdraw", kwargs={"pk": riga_referral.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"withdrawn_on": "2026-02-01"}).status_code == 403
    riga_referral.refresh_from_db()
    assert riga_referral.is_active


def test_refer_form_without_a_basis_shows_the_message_on_the_field(
    client, caseworker, case_of_caseworker, riga
):
    client.force_login(caseworker)
    url = reverse("reintegration:refer", kwargs={"reference": case_of_caseworker.reference})
    response = client.post(url, {"partner": riga.pk, "needs_note": "Food"})
    assert response.status_code == 400
    assert escape(str(services.LEGAL_BASIS_REQUIRED)) in body(response)
    assert 'id="id_legal_basis_error"' in body(response)
    assert not PartnerReferral.objects.exists()


def test_api_records_the_basis_and_the_withdrawal(client, caseworker, case_of_caseworker, riga):
    client.force_login(caseworker)
    refused = client.post(
        API,
        {"case": case_of_caseworker.reference, "partner": riga.pk, "needs_note": "x", "legal_basis": "other"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"legal_basis": [str(services.OTHER_BASIS_COORDINATOR_ONLY)]}
    made = client.post(
        API,
        {**CONSENT, "case": case_of_caseworker.reference, "partner": riga.pk, "needs_note": "x"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["consent_covers"] == CONSENT["consent_covers"]
    pk = made.json()["id"]
    early = client.post(
        f"{API}{pk}/withdraw-consent/", {"withdrawn_on": "2025-01-01"}, content_type="application/json"
    )
    assert early.status_code == 400
    assert early.json() == {"withdrawn_on": [str(services.WITHDRAWAL_DATE_ORDER % {"date": "2026-01-02"})]}
    done = client.post(
        f"{API}{pk}/withdraw-consent/", {"withdrawn_on": "2026-02-01"}, content_type="application/json"
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["consent_withdrawn_on"]) == ("withdrawn", "2026-02-01")
