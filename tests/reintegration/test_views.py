"""Pages: the partner's narrow view, the partner list, the NGO section, the forms."""

import datetime

import pytest
from django.urls import reverse

from cases.models import CaseAccess
from reintegration import services
from reintegration.models import Assistance, EmploymentMeasure, PartnerConsultation, PartnerReferral
from tests.factories import CONSENT, PersonFactory, make_case
from tests.reintegration.conftest import SHARED_WITH_PARTNER, WITHHELD, referral_for

pytestmark = pytest.mark.django_db


def detail_url(referral):
    return reverse("reintegration:detail", kwargs={"pk": referral.pk})


def body(response) -> str:
    return response.content.decode()


# --- the narrow view --------------------------------------------------------------------------


def test_municipality_sees_only_the_narrow_view(
    client, municipality, riga_referral, nva_referral, referred_case
):
    client.force_login(municipality)
    response = client.get(detail_url(riga_referral))
    assert response.status_code == 200
    html = body(response)
    for shown in (
        "Oksana Kovalenko",
        "+371 20000002",
        "oksana@example.invalid",
        "Brīvības iela 1, Rīga",
        "ukraiņu, krievu",
        "Female",
        WITHHELD["note_to_riga"],
        WITHHELD["riga_need"],
        WITHHELD["riga_assistance"],
        WITHHELD["riga_consultation"],
        "55.50",
    ):
        assert shown in html, shown
    for key in SHARED_WITH_PARTNER:
        assert WITHHELD[key] in html, key
    assert "contact person for this case" in html and 'id="minor-flag"' not in html
    withheld = {
        k: v
        for k, v in WITHHELD.items()
        if not k.startswith("riga_") and k != "note_to_riga" and k not in SHARED_WITH_PARTNER
    }
    for key, value in withheld.items():
        assert value not in html, key
    assert '<h3 class="h6 mt-3">Needs assessment</h3>' in html
    # The full case page stays closed to partners.
    assert client.get(referred_case.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/cases/{referred_case.reference}/").status_code == 404


def test_employment_sees_only_the_narrow_view(client, employment, riga_referral, nva_referral, referred_case):
    client.force_login(employment)
    response = client.get(detail_url(nva_referral))
    assert response.status_code == 200
    html = body(response)
    for shown in (
        "Oksana Kovalenko",
        "+371 20000002",
        WITHHELD["note_to_nva"],
        WITHHELD["nva_course"],
        WITHHELD["nva_consultation"],
        "A third-country national.",
        "No residence permit recorded.",
    ):
        assert shown in html, shown
    withheld = {
        k: v
        for k, v in WITHHELD.items()
        if not k.startswith("nva_") and k != "note_to_nva" and k not in SHARED_WITH_PARTNER
    }
    for key, value in withheld.items():
        assert value not in html, key
    assert client.get(detail_url(riga_referral)).status_code == 404
    assert client.get(referred_case.get_absolute_url()).status_code == 404


def test_narrow_view_is_recorded(client, municipality, riga_referral):
    client.force_login(municipality)
    client.get(detail_url(riga_referral))
    access = CaseAccess.objects.get(case=riga_referral.case, user=municipality)
    assert (access.kind, access.organisation) == (CaseAccess.Kind.NARROW, municipality.organisation)


def test_another_municipalitys_case_is_a_404(
    client, municipality, jelgava_worker, jelgava_case, riga_referral
):
    client.force_login(municipality)
    assert client.get(detail_url(jelgava_case)).status_code == 404
    listing = body(client.get(reverse("reintegration:list")))
    assert "Oksana Kovalenko" in listing
    assert "Jelgavas Persona" not in listing
    client.force_login(jelgava_worker)
    assert client.get(detail_url(riga_referral)).status_code == 404
    assert client.get(detail_url(jelgava_case)).status_code == 200


def test_withdrawn_and_closed_cases_are_404(client, municipality, caseworker, coordinator, riga_referral):
    client.force_login(municipality)
    url = detail_url(riga_referral)
    assert client.get(url).status_code == 200
    services.referral_withdraw(referral=riga_referral, actor=caseworker, reason="x")
    assert client.get(url).status_code == 404
    again = referral_for(riga_referral.case, riga_referral.partner, caseworker)
    assert client.get(detail_url(again)).status_code == 200
    from cases import services as case_services

    case_services.case_close(case=again.case, actor=coordinator, reason="Zzclose reason")
    assert client.get(detail_url(again)).status_code == 404
    assert "Oksana" not in body(client.get(reverse("reintegration:list")))


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "national", "police", "admin", "employment"])
def test_non_partners_get_404_on_partner_pages(client, all_role_users, riga_referral, role):
    client.force_login(all_role_users[role])
    assert client.get(detail_url(riga_referral)).status_code == 404
    if role != "employment":
        assert client.get(reverse("reintegration:list")).status_code == 404


def test_partner_list_query_count_is_flat(
    client, municipality, mandated_ngo, coordinator, riga, django_assert_num_queries
):
    client.force_login(municipality)

    def add(n):
        for _ in range(n):
            referral_for(make_case(organisation=mandated_ngo, person=PersonFactory()), riga, coordinator)

    add(3)
    client.get(reverse("reintegration:list"))  # warm the session
    # 8: the read log of the cases shown is one insert and one for its history; the session was
    # renewed by the request before (at most once a minute).
    with django_assert_num_queries(8) as first:
        assert client.get(reverse("reintegration:list")).status_code == 200
    add(22)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("reintegration:list"))
    assert body(response).count("/reintegration/") >= 25


# --- the NGO side -----------------------------------------------------------------------------


def test_caseworker_sees_both_partners_on_the_case_page(
    client, caseworker, riga_referral, nva_referral, referred_case
):
    client.force_login(caseworker)
    html = body(client.get(referred_case.get_absolute_url()))
    for value in (
        WITHHELD["riga_need"],
        WITHHELD["riga_assistance"],
        WITHHELD["nva_course"],
        WITHHELD["nva_consultation"],
        WITHHELD["note_to_riga"],
        WITHHELD["note_to_nva"],
        WITHHELD["old_note"],
        "Sent too early",
    ):
        assert value in html
    assert reverse("reintegration:refer", kwargs={"reference": referred_case.reference}) in html
    assert reverse("reintegration:withdraw", kwargs={"pk": riga_referral.pk}) in html
    # Headings nest: the section (h2), each partner (h3), each partner's records (h4).
    assert '<h4 class="h6 mt-3">Needs assessment</h4>' in html


def test_national_reads_the_section_without_actions(client, national, riga_referral, referred_case):
    client.force_login(national)
    html = body(client.get(referred_case.get_absolute_url()))
    assert WITHHELD["riga_consultation"] in html
    assert "/reintegration/cases/" not in html
    assert reverse("reintegration:withdraw", kwargs={"pk": riga_referral.pk}) not in html
    assert client.get(reverse("reintegration:withdraw", kwargs={"pk": riga_referral.pk})).status_code == 403


def test_refer_form(client, caseworker, case_of_caseworker, riga, nva):
    client.force_login(caseworker)
    url = reverse("reintegration:refer", kwargs={"reference": case_of_caseworker.reference})
    page = client.get(url)
    assert page.status_code == 200
    assert riga.name in body(page) and nva.name in body(page)
    response = client.post(url, {**CONSENT, "partner": riga.pk, "needs_note": "Food"})
    assert (
        response.status_code == 302
        and response["Location"] == case_of_caseworker.get_absolute_url() + "#reintegration-h"
    )
    again = client.post(url, {**CONSENT, "partner": riga.pk, "needs_note": "Food"})
    assert again.status_code == 400
    assert str(services.ALREADY_REFERRED % {"name": riga.name}) in body(again)
    assert PartnerReferral.objects.filter(case=case_of_caseworker).count() == 1


def test_refer_refused_to_caseworker2_and_partners(client, caseworker2, municipality, case_of_caseworker):
    url = reverse("reintegration:refer", kwargs={"reference": case_of_caseworker.reference})
    client.force_login(caseworker2)
    assert client.get(url).status_code == 404
    client.force_login(municipality)
    assert client.get(url).status_code == 404


def test_withdraw_form(client, caseworker, riga_referral):
    client.force_login(caseworker)
    url = reverse("reintegration:withdraw", kwargs={"pk": riga_referral.pk})
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    response = client.post(url, {"reason": "Moved to Jelgava"})
    assert response.status_code == 302
    riga_referral.refresh_from_db()
    assert riga_referral.status == "withdrawn"


# --- the partners' forms ----------------------------------------------------------------------


def test_municipality_records_assistance_and_need_with_errors_tied_to_fields(
    client, municipality, riga_referral
):
    client.force_login(municipality)
    url = reverse("reintegration:assistance_add", kwargs={"pk": riga_referral.pk})
    bad = client.post(
        url, {"kind": "food", "amount_eur": "10", "granted_from": "2026-02-01", "granted_to": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert 'id="id_granted_to_error"' in body(bad)
    assert str(services.DATES_ORDER) in body(bad)
    ok = client.post(url, {"kind": "food", "amount_eur": "35.00", "granted_from": "2026-02-01"})
    assert ok.status_code == 302 and ok["Location"] == detail_url(riga_referral) + "#part-h"
    assert Assistance.objects.filter(referral=riga_referral, kind="food").get().recorded_by == municipality

    need_url = reverse("reintegration:need_add", kwargs={"pk": riga_referral.pk})
    bad = client.post(need_url, {"category": "housing", "amount_eur": "100"})
    assert bad.status_code == 400 and str(services.PERIOD_REQUIRED) in body(bad)
    assert (
        client.post(need_url, {"category": "housing", "amount_eur": "100", "months": "6"}).status_code == 302
    )


def test_employment_cannot_use_municipal_forms_and_logs_training(
    client, employment, nva_referral, riga_referral
):
    client.force_login(employment)
    assert (
        client.get(reverse("reintegration:assistance_add", kwargs={"pk": nva_referral.pk})).status_code == 403
    )
    assert (
        client.get(reverse("reintegration:assistance_add", kwargs={"pk": riga_referral.pk})).status_code
        == 404
    )
    url = reverse("reintegration:measure_add", kwargs={"pk": nva_referral.pk})
    bad = client.post(url, {"kind": "training", "started_on": "2026-03-01"})
    assert bad.status_code == 400 and str(services.TRAINING_NEEDS_COURSE) in body(bad)
    ok = client.post(
        url, {"kind": "training", "started_on": "2026-03-01", "course": "Forklift", "provider": "VTU"}
    )
    assert ok.status_code == 302
    assert EmploymentMeasure.objects.filter(referral=nva_referral, course="Forklift").exists()


def test_partner_logs_a_consultation_and_closes_their_part(client, municipality, riga_referral):
    client.force_login(municipality)
    url = reverse("reintegration:consultation_add", kwargs={"pk": riga_referral.pk})
    page = body(client.get(url))
    assert WITHHELD["caseworker"] not in page
    response = client.post(
        url, {"held_on": datetime.date.today().isoformat(), "participants": "Both", "topic": "Rent"}
    )
    assert response.status_code == 302 and response["Location"] == detail_url(riga_referral) + "#part-h"
    assert (
        PartnerConsultation.objects.filter(referral=riga_referral, topic="Rent").get().recorded_by
        == municipality
    )
    done = client.post(
        reverse("reintegration:complete", kwargs={"pk": riga_referral.pk}), {"outcome": "Housing found"}
    )
    assert done.status_code == 302
    assert client.get(detail_url(riga_referral)).status_code == 404


def test_dashboard_panel_and_nav_for_partners(client, municipality, caseworker, riga_referral, jelgava_case):
    client.force_login(municipality)
    html = body(client.get(reverse("dashboard")))
    assert "Cases referred to your organisation" in html
    assert detail_url(riga_referral) in html
    assert "Jelgavas Persona" not in html
    assert 'href="/reintegration/"' in html
    client.force_login(caseworker)
    html = body(client.get(reverse("dashboard")))
    assert "Cases referred to your organisation" not in html
    assert 'href="/reintegration/"' not in html


def test_right_to_work_reads_the_real_permit_through_the_services_selector(
    client, employment, caseworker, nva_referral
):
    from services import services as permit_services
    from services.models import ResidencePermit

    client.force_login(employment)
    assert "No residence permit recorded." in body(client.get(detail_url(nva_referral)))

    # Applied for: no right to work yet.
    permit = permit_services.residence_permit_save(
        case=nva_referral.case,
        actor=caseworker,
        travel_document_presented_on=datetime.date.today() - datetime.timedelta(days=40),
        travel_document_type="Passport",
        travel_document_number="FX123456",
        application_submitted_on=datetime.date.today() - datetime.timedelta(days=30),
    )
    assert permit.decision == ResidencePermit.Decision.PENDING
    assert "No residence permit recorded." in body(client.get(detail_url(nva_referral)))

    valid_until = datetime.date.today() + datetime.timedelta(days=200)
    permit_services.residence_permit_save(
        case=nva_referral.case,
        actor=caseworker,
        decision=ResidencePermit.Decision.GRANTED,
        decision_on=datetime.date.today() - datetime.timedelta(days=5),
        permit_number="ZZPERMIT-1",
        valid_from=datetime.date.today() - datetime.timedelta(days=5),
        valid_until=valid_until,
    )
    html = body(client.get(detail_url(nva_referral)))
    assert f"it gives the right to work for any employer until {valid_until:%Y-%m-%d}" in html
    assert "No residence permit recorded." not in html
    assert "ZZPERMIT-1" not in html
    api = client.get(f"/api/v1/reintegration/referrals/{nva_referral.pk}/").json()
    assert api["right_to_work"]["may_work_for_any_employer_until"] == valid_until.isoformat()


def test_a_failing_permit_read_fails_loudly_not_as_no_permit(employment, nva_referral, monkeypatch):
    from reintegration import selectors
    from services import selectors as services_selectors

    def broken(*, case):
        raise RuntimeError("the permit table is unreachable")

    monkeypatch.setattr(services_selectors, "residence_permit_get", broken)
    with pytest.raises(RuntimeError, match="unreachable"):
        selectors.residence_permit_info(case=nva_referral.case)


def test_case_section_reads_in_a_fixed_number_of_queries(
    riga_referral, nva_referral, referred_case, caseworker, jelgava, django_assert_num_queries
):
    from reintegration import selectors

    with django_assert_num_queries(5):
        referrals = selectors.case_referrals(case=referred_case)
        rows = [
            (
                r.partner.name,
                r.referred_by.display_name,
                [n.recorded_by.display_name for n in r.needs.all()],
                list(r.assistance.all()),
                list(r.measures.all()),
                list(r.consultations.all()),
            )
            for r in referrals
        ]
    assert len(rows) == 3
    referral_for(referred_case, jelgava, caseworker)
    with django_assert_num_queries(5):
        referrals = selectors.case_referrals(case=referred_case)
        rows = [
            (r.partner.name, [c.recorded_by.display_name for c in r.consultations.all()]) for r in referrals
        ]
    assert len(rows) == 4


def test_closed_case_shows_its_referrals_as_ended(client, coordinator, riga_referral, referred_case):
    from cases import services as case_services

    case_services.case_close(case=referred_case, actor=coordinator, reason="Reintegrated")
    client.force_login(coordinator)
    html = body(client.get(referred_case.get_absolute_url()))
    assert "Ended: the case is closed" in html
    assert WITHHELD["riga_need"] in html
    assert "/reintegration/cases/" not in html


def test_a_refused_narrow_view_is_signalled_for_the_security_log(client, municipality, jelgava_case):
    from cases.signals import access_refused

    seen = []

    def listener(sender, user, target, **kwargs):
        seen.append((user.username, target))

    access_refused.connect(listener)
    try:
        client.force_login(municipality)
        assert client.get(detail_url(jelgava_case)).status_code == 404
        assert client.get(reverse("reintegration:detail", kwargs={"pk": 999999})).status_code == 404
    finally:
        access_refused.disconnect(listener)
    assert seen == [("municipality", f"reintegration.PartnerReferral:{jelgava_case.pk}")]
