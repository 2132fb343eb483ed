"""Correcting the person's details with a reason: a date of birth replaces the estimated age, the
derived facts follow, and a change that would break a rule a stage relied on is refused with a
message (page and API)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Person
from cases.selectors import case_timeline
from tests.factories import PersonFactory, make_case

pytestmark = pytest.mark.django_db

D = datetime.timedelta
TODAY = timezone.localdate


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_date_of_birth_replaces_the_estimated_age(mandated_ngo, caseworker):
    person = PersonFactory(
        given_name="",
        family_name="",
        date_of_birth=None,
        estimated_age=17,
        estimated_age_on=TODAY() - D(days=30),
    )
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker], person=person)
    services.person_correct(
        case=case,
        actor=caseworker,
        reason="Passport seen",
        given_name="Olena",
        family_name="Kovalenko",
        date_of_birth=datetime.date(2000, 4, 1),
    )
    person.refresh_from_db()
    assert (person.given_name, person.date_of_birth) == ("Olena", datetime.date(2000, 4, 1))
    assert person.estimated_age is None and person.estimated_age_on is None
    assert person.search_name == "olena kovalenko"
    assert person.is_minor is False
    last = person.history.order_by("-history_date").first()
    assert last.history_user == caseworker and last.history_change_reason == "Passport seen"
    entry = next(e for e in case_timeline(case=case) if e.title == "Personal details updated")
    assert entry.reason == "Passport seen" and "Date of birth changed" in entry.details


def test_refusals_say_what_to_do(mandated_ngo, caseworker, caseworker2, national):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    with pytest.raises(ValidationError) as no_reason:
        services.person_correct(case=case, actor=caseworker, reason=" ", languages="uk")
    assert no_reason.value.message_dict == {"reason": [str(services.PERSON_REASON_NEEDED)]}
    with pytest.raises(ValidationError) as unchanged:
        services.person_correct(case=case, actor=caseworker, reason="x", languages=case.person.languages)
    assert unchanged.value.messages == [str(services.PERSON_NOTHING_CHANGED)]
    with pytest.raises(ValidationError) as future:
        services.person_correct(case=case, actor=caseworker, reason="x", date_of_birth=TODAY() + D(days=1))
    assert future.value.message_dict == {"date_of_birth": [str(services.PERSON_DOB_IN_FUTURE)]}
    for user in (caseworker2, national):
        with pytest.raises(PermissionDenied):
            services.person_correct(case=case, actor=user, reason="x", languages="uk")


def test_an_eu_citizenship_is_refused_while_a_residence_permit_relies_on_the_person_being_a_tcn(
    client, mandated_ngo, caseworker
):
    from services import services as stage2
    from tests.services.factories import case_with

    case = case_with(
        organisation=mandated_ngo, caseworkers=[caseworker], citizenships=["UA"], identified=True
    )
    stage2.residence_permit_save(
        case=case,
        actor=caseworker,
        travel_document_presented_on=TODAY(),
        travel_document_type="Passport",
        travel_document_number="FX123",
    )
    expected = str(stage2.PERSON_PERMIT_RELIES % {"reference": case.reference})
    with pytest.raises(ValidationError) as refused:
        services.person_correct(case=case, actor=caseworker, reason="Has Polish papers", citizenships=["PL"])
    assert refused.value.message_dict == {"citizenships": [expected]}
    api = _api(caseworker).post(
        f"/api/v1/cases/{case.reference}/person/", {"citizenships": ["PL"], "reason": "x"}, format="json"
    )
    assert api.status_code == 400 and api.json() == {"citizenships": [expected]}
    client.force_login(caseworker)
    page = client.post(
        reverse("cases:person_correct", args=[case.reference]),
        {**_form(case.person), "citizenships": ["PL"], "reason": "x"},
    )
    assert page.status_code == 400 and expected in page.content.decode()
    case.person.refresh_from_db()
    assert [c.code for c in case.person.citizenships] == ["UA"]
    # Another third-country citizenship is no contradiction.
    services.person_correct(case=case, actor=caseworker, reason="Also Moldovan", citizenships=["UA", "MD"])


def test_a_date_of_birth_that_makes_an_adult_of_a_minor_with_family_consultations_is_refused(
    mandated_ngo, caseworker
):
    from rehabilitation import services as rehab
    from tests.rehabilitation.factories import identified_case

    minor = PersonFactory(date_of_birth=TODAY().replace(year=TODAY().year - 15))
    case = identified_case(organisation=mandated_ngo, caseworkers=[caseworker], person=minor)
    member = rehab.family_member_add(case=case, given_name="Inga", relationship="mother", actor=caseworker)
    consultation = rehab.family_consultation_log(
        case=case, family_member=member, date=TODAY(), specialist="psychologist", actor=caseworker
    )
    adult_dob = datetime.date(1990, 1, 1)
    with pytest.raises(ValidationError) as refused:
        services.person_correct(case=case, actor=caseworker, reason="Real age", date_of_birth=adult_dob)
    on = case.opened_on
    age = Person(date_of_birth=adult_dob).age_on(on)
    assert refused.value.message_dict == {
        "date_of_birth": [
            str(
                rehab.PERSON_FAMILY_RELIES % {"reference": case.reference, "date": on.isoformat(), "age": age}
            )
        ]
    }
    # Another date that keeps them a minor is fine; with the consultations voided, any date is.
    services.person_correct(
        case=case, actor=caseworker, reason="Day", date_of_birth=minor.date_of_birth + D(days=1)
    )
    rehab.family_consultation_void(entry=consultation, reason="Given on a wrong age", actor=caseworker)
    services.person_correct(case=case, actor=caseworker, reason="Real age", date_of_birth=adult_dob)


def _form(person):
    from cases.forms import PersonCorrectForm

    data = {k: v for k, v in PersonCorrectForm.initial_for(person).items() if v not in (None, False)}
    if isinstance(data.get("date_of_birth"), datetime.date):
        data["date_of_birth"] = data["date_of_birth"].isoformat()
    return data


def test_the_page_corrects_and_is_closed_to_readers(client, mandated_ngo, caseworker, caseworker2, national):
    person = PersonFactory(estimated_age=30, estimated_age_on=TODAY() - D(days=10), date_of_birth=None)
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker], person=person)
    url = reverse("cases:person_correct", args=[case.reference])
    client.force_login(caseworker)
    assert url in client.get(case.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {**_form(person), "date_of_birth": "1995-02-03", "reason": "ID card"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.date_of_birth == datetime.date(1995, 2, 3) and person.estimated_age is None
    bad = client.post(url, {**_form(person), "date_of_birth": "1850-01-01", "reason": "x"})
    assert bad.status_code == 400 and "dates before 1900 are not accepted" in bad.content.decode()
    client.force_login(caseworker2)
    assert client.get(url).status_code == 404
    client.force_login(national)
    assert client.get(url).status_code == 403
    assert url not in client.get(case.get_absolute_url()).content.decode()
    assert (
        _api(national)
        .post(f"/api/v1/cases/{case.reference}/person/", {"languages": "lv", "reason": "x"}, format="json")
        .status_code
        == 403
    )


def test_the_api_corrects_and_is_in_the_schema(mandated_ngo, caseworker):
    case = make_case(organisation=mandated_ngo, caseworkers=[caseworker])
    api = _api(caseworker)
    response = api.post(
        f"/api/v1/cases/{case.reference}/person/",
        {"other_names": "Lena", "languages": "uk, ru", "reason": "Told us at the interview"},
        format="json",
    )
    assert response.status_code == 200
    case.person.refresh_from_db()
    assert case.person.other_names == "Lena" and case.person.languages == "uk, ru"
    assert "/api/v1/cases/{reference}/person/" in api.get("/api/schema/").content.decode()
