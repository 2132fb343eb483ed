"""The lifecycle's pages and API (docs/lifecycle.md): the same services, the same refusals."""

import pytest

from cases import services
from cases.models import Case, CaseTransfer, Role
from tests.factories import UserFactory, make_case


@pytest.fixture
def identified_case(mandated_ngo, caseworker, coordinator):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    return services.case_set_victim_status(case=case, status=Case.VictimStatus.IDENTIFIED, actor=coordinator)


@pytest.fixture
def other_coordinator(other_ngo):
    return UserFactory(username="other_coordinator", organisation=other_ngo, roles=[Role.COORDINATOR])


def test_schema_lists_the_lifecycle_endpoints(client, coordinator):
    client.force_login(coordinator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/cases/{reference}/stage/",
        "/api/v1/cases/{reference}/close/",
        "/api/v1/cases/{reference}/reopen/",
        "/api/v1/cases/{reference}/transfer/",
        "/api/v1/cases/{reference}/stage-history/",
        "/api/v1/transfers/",
        "/api/v1/transfers/{id}/accept/",
        "/api/v1/transfers/{id}/decline/",
    ):
        assert path in schema, path


def test_api_moves_closes_and_reopens_with_the_services_refusals(
    client, coordinator, caseworker, identified_case
):
    url = f"/api/v1/cases/{identified_case.reference}"
    client.force_login(caseworker)
    assert client.post(f"{url}/stage/", {"stage": "rehabilitation", "reason": "x"}).status_code == 403

    client.force_login(coordinator)
    response = client.post(f"{url}/stage/", {"stage": "rehabilitation", "reason": ""})
    assert response.status_code == 400
    assert response.json() == {"reason": [str(services.MOVE_NEEDS_REASON)]}
    response = client.post(f"{url}/stage/", {"stage": "rehabilitation", "reason": "Identified abroad"})
    assert response.status_code == 200 and response.json()["stage"] == "rehabilitation"

    response = client.post(f"{url}/close/", {"reason": ""})
    assert response.status_code == 400 and response.json() == {"reason": [str(services.CLOSE_NEEDS_REASON)]}
    response = client.post(f"{url}/close/", {"reason": "Returned home"})
    assert response.json()["stage"] == "closed"

    response = client.post(f"{url}/reopen/", {"reason": ""})
    assert response.status_code == 400 and response.json() == {"reason": [str(services.REOPEN_NEEDS_REASON)]}
    response = client.post(f"{url}/reopen/", {"reason": "New information", "caseworker": caseworker.pk})
    body = response.json()
    # Its records hold no approved identification: it returns to identification.
    assert (response.status_code, body["stage"], body["caseworkers"]) == (
        200,
        "identification",
        [caseworker.display_name],
    )
    history = client.get(f"{url}/stage-history/").json()
    assert [h["event"] for h in history] == ["opened", "manual", "closed", "reopened"]


def test_api_transfer_is_proposed_and_accepted_by_the_other_ngo(
    client, coordinator, identified_case, other_ngo, other_coordinator
):
    client.force_login(coordinator)
    response = client.post(
        f"/api/v1/cases/{identified_case.reference}/transfer/", {"organisation": other_ngo.pk, "reason": ""}
    )
    assert response.status_code == 400 and response.json() == {
        "reason": [str(services.TRANSFER_NEEDS_REASON)]
    }
    response = client.post(
        f"/api/v1/cases/{identified_case.reference}/transfer/",
        {"organisation": other_ngo.pk, "reason": "Moved to Liepāja"},
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    # The sender does not see it among the transfers offered to it, nor may accept it.
    assert client.get("/api/v1/transfers/").json() == []
    assert client.post(f"/api/v1/transfers/{pk}/accept/", {}).status_code == 404

    client.force_login(other_coordinator)
    assert [t["case"] for t in client.get("/api/v1/transfers/").json()] == [identified_case.reference]
    response = client.post(f"/api/v1/transfers/{pk}/accept/", {})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert client.get(f"/api/v1/cases/{identified_case.reference}/").status_code == 200
    client.force_login(coordinator)
    assert client.get(f"/api/v1/cases/{identified_case.reference}/").status_code == 404


def test_pages_move_reopen_and_transfer(
    client, coordinator, caseworker, identified_case, other_ngo, other_coordinator
):
    case = identified_case
    client.force_login(caseworker)
    assert client.get(f"/cases/{case.reference}/stage/").status_code == 403
    assert "Move stage" not in client.get(case.get_absolute_url()).content.decode()

    client.force_login(coordinator)
    assert "Move stage" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(f"/cases/{case.reference}/stage/", {"stage": "rehabilitation", "reason": ""})
    assert response.status_code == 400
    assert str(services.MOVE_NEEDS_REASON) in response.content.decode()
    response = client.post(
        f"/cases/{case.reference}/stage/", {"stage": "rehabilitation", "reason": "Identified"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.REHABILITATION
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Moved by a coordinator" in body and "Stage: Identification → Rehabilitation" in body

    client.post(f"/cases/{case.reference}/close/", {"reason": "Done"})
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Reopen case" in body
    response = client.post(f"/cases/{case.reference}/reopen/", {"reason": ""})
    assert response.status_code == 400 and str(services.REOPEN_NEEDS_REASON) in response.content.decode()
    response = client.post(
        f"/cases/{case.reference}/reopen/", {"reason": "Trafficked again", "caseworker": ""}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.IDENTIFICATION

    response = client.post(
        f"/cases/{case.reference}/transfer/", {"organisation": other_ngo.pk, "reason": "Moved"}
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get(case=case)
    client.force_login(other_coordinator)
    assert "1 case is offered to your NGO" in client.get("/").content.decode()
    assert case.reference in client.get("/cases/transfers/").content.decode()
    response = client.post(f"/cases/transfers/{transfer.pk}/accept/", {f"a{transfer.pk}-caseworker": ""})
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    body = client.get(case.get_absolute_url()).content.decode()
    assert f"Transfer to {other_ngo.name}: accepted" in body
