"""The API: the same rules and messages as the pages, and all of it in the OpenAPI schema."""

import pytest
from django.core import mail

from cases.models import Case
from operations.services import outbox_deliver
from referrals import models, services
from referrals.models import Referral
from tests.factories import PersonFactory, make_case

from .factories import complete_data, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def _json(**overrides):
    data = complete_data(**overrides)
    for key in ("date_of_birth", "met_on"):
        if data.get(key):
            data[key] = data[key].isoformat()
    return data


def test_a_first_responder_submits(client, police, coordinator, django_capture_on_commit_callbacks):
    client.force_login(police)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _json(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["given_name"] == "Aija" and body["case_reference"] is None
    referral = Referral.objects.get(pk=body["id"])
    assert referral.created_by == police and referral.history.first().history_user == police
    outbox_deliver()
    assert len(mail.outbox) == 1


def test_a_draft_through_the_api_and_submitting_it(client, police):
    client.force_login(police)
    response = client.post(URL, {"draft": True, "given_name": "Olena"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "draft"
    pk = response.json()["id"]
    response = client.post(f"{URL}{pk}/submit/", {"consent": True}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "met_on": [str(services.MET_ON_REQUIRED)],
        "met_place": [str(services.MET_PLACE_REQUIRED)],
        "indicators": [str(services.INDICATORS_REQUIRED)],
        "forms_of_exploitation": [str(services.EXPLOITATION_REQUIRED)],
    }
    data = _json(given_name="Olena", family_name="")
    response = client.post(f"{URL}{pk}/submit/", data, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"


def test_the_same_errors_as_the_form(client, police):
    client.force_login(police)
    response = client.post(URL, {"given_name": "Olena"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "consent": [str(services.CONSENT_REQUIRED)],
        "met_on": [str(services.MET_ON_REQUIRED)],
        "met_place": [str(services.MET_PLACE_REQUIRED)],
        "indicators": [str(services.INDICATORS_REQUIRED)],
        "forms_of_exploitation": [str(services.EXPLOITATION_REQUIRED)],
    }
    response = client.post(URL, _json(consent=False), content_type="application/json")
    assert response.status_code == 400 and response.json() == {
        "consent": [str(models.ANONYMOUS_HAS_IDENTITY)]
    }
    assert not Referral.objects.exists()


def test_only_first_responders_post(client, caseworker, coordinator, national):
    for user in (caseworker, coordinator, national):
        client.force_login(user)
        response = client.post(URL, _json(), content_type="application/json")
        assert response.status_code == 403
        assert response.json() == {"detail": str(services.NOT_A_FIRST_RESPONDER)}
    assert not Referral.objects.exists()


def test_anonymous_users_are_refused(client):
    assert client.get(URL).status_code in (401, 403)
    assert client.post(URL, _json(), content_type="application/json").status_code in (401, 403)


def test_accept_and_decline_through_the_api(
    client, police, coordinator, caseworker, other_ngo_worker, mandated_ngo
):
    known = make_case(
        organisation=mandated_ngo, person=PersonFactory(given_name="Aija", family_name="Berzina")
    )
    first, second = submit(police), submit(police)
    client.force_login(coordinator)
    response = client.post(f"{URL}{first.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 400 and response.json() == {
        "caseworker": [str(services.CASEWORKER_REQUIRED)]
    }
    response = client.post(
        f"{URL}{first.pk}/accept/", {"caseworker": other_ngo_worker.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json() == {
        "caseworker": [str(services.CASEWORKER_NOT_AVAILABLE)]
    }
    response = client.post(
        f"{URL}{first.pk}/accept/",
        {"caseworker": caseworker.pk, "person": 999999},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json() == {"person": [str(services.PERSON_NOT_KNOWN)]}
    response = client.post(
        f"{URL}{first.pk}/accept/",
        {"caseworker": caseworker.pk, "person": known.person_id},
        content_type="application/json",
    )
    assert response.status_code == 200
    case = Case.objects.exclude(pk=known.pk).get()
    assert response.json()["status"] == "accepted" and response.json()["case_reference"] == case.reference
    assert case.person_id == known.person_id

    response = client.post(f"{URL}{second.pk}/decline/", {"reason": " "}, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"reason": [str(services.DECLINE_NEEDS_REASON)]}
    response = client.post(
        f"{URL}{second.pk}/decline/", {"reason": "Not trafficking."}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["decline_reason"] == "Not trafficking."
    response = client.post(f"{URL}{second.pk}/decline/", {"reason": "Again"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [str(services.NOT_WAITING % {"status": "declined"})]}


def test_a_first_responder_cannot_decide_through_the_api(client, police, caseworker):
    referral = submit(police)
    client.force_login(police)
    assert (
        client.post(
            f"{URL}{referral.pk}/accept/", {"caseworker": caseworker.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{URL}{referral.pk}/decline/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    # A coordinator of the other NGO does not reach a referral decided by this one.


def test_the_schema_describes_the_referral_api(client, police):
    client.force_login(police)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/referrals/{id}/accept/",
        "/api/v1/referrals/{id}/decline/",
        "/api/v1/referrals/{id}/submit/",
        "/api/v1/referrals/counts/",
    ):
        assert path in paths, path
    assert "post" in paths["/api/v1/referrals/"] and "get" in paths["/api/v1/referrals/"]
