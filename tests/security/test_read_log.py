"""Every read of a person's data is in the read log: lists record each case shown, in one insert,
and "Who saw this file" names the reader as they were named at the time."""

import pytest
from django.urls import reverse

from cases.models import CaseAccess
from tests.reintegration.conftest import (  # noqa: F401  (fixtures)
    WITHHELD,
    jelgava,
    nva,
    nva_referral,
    referred_case,
    riga,
    riga_referral,
)

pytestmark = pytest.mark.django_db
# Stage 3's fixtures are imported above and requested by name below.
# ruff: noqa: F811


def _accesses(user):
    return sorted(CaseAccess.objects.filter(user=user).values_list("case_id", "kind"))


def test_the_partners_list_records_each_case_it_shows(client, municipality, riga_referral):
    CaseAccess.objects.all().delete()
    client.force_login(municipality)
    response = client.get(reverse("reintegration:list"))
    assert response.status_code == 200 and "Kovalenko" in response.content.decode()
    assert _accesses(municipality) == [(riga_referral.case_id, CaseAccess.Kind.NARROW)]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reintegration/referrals/",
        "/api/v1/reintegration/assessments/",
        "/api/v1/reintegration/consultations/",
        "/api/v1/reintegration/assistance/",
    ],
)
def test_the_national_coordinators_reintegration_api_lists_record_each_case(
    client, national, riga_referral, url
):
    CaseAccess.objects.all().delete()
    client.force_login(national)
    response = client.get(url)
    assert response.status_code == 200 and response.json()["results"]
    assert _accesses(national) == [(riga_referral.case_id, CaseAccess.Kind.API)]


def test_a_partners_api_list_records_each_case_as_a_narrow_view(client, employment, nva_referral):
    CaseAccess.objects.all().delete()
    client.force_login(employment)
    assert client.get("/api/v1/reintegration/referrals/").status_code == 200
    assert client.get("/api/v1/reintegration/employment-measures/").status_code == 200
    assert _accesses(employment) == [(nva_referral.case_id, CaseAccess.Kind.NARROW)] * 2


def test_a_list_records_its_cases_in_one_insert(client, national, coordinator, riga_referral):
    from tests.reintegration.conftest import referral_for
    from tests.services.factories import case_with

    client.force_login(national)
    client.get("/api/v1/reintegration/referrals/")  # warm the session and the user's roles
    for _ in range(3):
        case = case_with(organisation=riga_referral.case.organisation)
        referral_for(case, riga_referral.partner, coordinator)
    CaseAccess.objects.all().delete()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/reintegration/referrals/")
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "cases_caseaccess"')
    ]
    assert len(inserts) == 1
    assert CaseAccess.objects.filter(user=national).count() == 4


def test_who_saw_this_file_names_the_reader_as_they_were_named_then(
    client, coordinator, caseworker, case_of_caseworker
):
    client.force_login(caseworker)
    assert client.get(case_of_caseworker.get_absolute_url()).status_code == 200
    caseworker.first_name, caseworker.last_name = "Renamed", "Later"
    caseworker.save()
    client.force_login(coordinator)
    page = client.get(reverse("cases:access_log", args=[case_of_caseworker.reference])).content.decode()
    assert "Anna Kalniņa" in page
    assert "Renamed Later" not in page


def test_the_case_list_page_the_api_list_and_the_dashboard_record_each_case_shown(
    client, caseworker, case_of_caseworker, case_of_caseworker2
):
    CaseAccess.objects.all().delete()
    client.force_login(caseworker)
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    assert _accesses(caseworker) == sorted(
        [
            (case_of_caseworker.pk, CaseAccess.Kind.LIST),
            (case_of_caseworker.pk, CaseAccess.Kind.API),
            (case_of_caseworker.pk, CaseAccess.Kind.LIST),
        ]
    )
