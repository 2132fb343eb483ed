"""Pages: who sees what, the forms keep what was typed, intake decisions, dashboard and navigation."""

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import Case
from operations.services import outbox_deliver
from referrals import services
from referrals.models import Referral
from tests.factories import PersonFactory, make_case

from .factories import anonymous_data, complete_data, submit, submitted_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(police, border, coordinator, caseworker, other_ngo_worker):
    accepted = services.referral_accept(
        referral=submit(police, given_name="Zelma"), actor=coordinator, caseworker=caseworker
    )
    declined = services.referral_decline(
        referral=submit(border, given_name="Vilma"), actor=other_ngo_worker, reason="Elsewhere"
    )
    return {
        "police_submitted": submit(police),
        "border_submitted": submit(border),
        "police_draft": services.referral_save_draft(actor=police, data={"given_name": "Olena"}),
        "police_accepted": accepted,
        "border_declined_elsewhere": declined,
    }


SEES = {
    "police": {"police_submitted", "police_draft", "police_accepted"},
    "police_colleague": {"police_submitted", "police_accepted"},
    "border": {"border_submitted", "border_declined_elsewhere"},
    "caseworker": set(),
    "caseworker2": set(),
    "coordinator": {"police_submitted", "border_submitted", "police_accepted"},
    "other_ngo_worker": {"police_submitted", "border_submitted", "border_declined_elsewhere"},
    "municipality": set(),
    "employment": set(),
    "national": set(),
    "admin": set(),
}
LIST_PAGE = {"police", "police_colleague", "border", "coordinator", "other_ngo_worker", "national"}


@pytest.mark.parametrize("role", sorted(SEES))
def test_list_detail_and_api_scope(client, all_role_users, police_colleague, referrals, role):
    user = {**all_role_users, "police_colleague": police_colleague}[role]
    client.force_login(user)
    listing = client.get(reverse("referrals:list"))
    api_list = client.get("/api/v1/referrals/")
    expected = SEES[role]
    assert listing.status_code == (200 if role in LIST_PAGE else 404)
    assert api_list.status_code == 200
    api_ids = {row["id"] for row in api_list.json()["results"]}
    assert api_ids == {referrals[key].pk for key in expected}
    body = listing.content.decode()
    for key, referral in referrals.items():
        if listing.status_code == 200:
            assert (f"/referrals/{referral.pk}/" in body) == (key in expected), (role, key)
        page = client.get(referral.get_absolute_url())
        api = client.get(f"/api/v1/referrals/{referral.pk}/")
        want = 200 if key in expected else 404
        assert page.status_code == want, (role, key)
        assert api.status_code == want, (role, key)
        if want == 404:
            assert referral.given_name not in page.content.decode() + api.content.decode()
    assert client.get("/referrals/999999/").status_code == 404
    assert client.get("/api/v1/referrals/999999/").status_code == 404


def test_the_referrer_never_sees_the_case_behind_an_accepted_referral(
    client, police, police_colleague, coordinator, referrals
):
    accepted = referrals["police_accepted"]
    case = accepted.case
    for user in (police, police_colleague):
        client.force_login(user)
        for url in (reverse("referrals:list"), accepted.get_absolute_url(), reverse("dashboard")):
            body = client.get(url).content.decode()
            assert case.reference not in body and case.get_absolute_url() not in body
        assert "Accepted" in client.get(accepted.get_absolute_url()).content.decode()
        api = client.get(f"/api/v1/referrals/{accepted.pk}/").json()
        assert api["status"] == "accepted" and api["case_reference"] is None
        assert case.reference not in str(api)
        assert client.get(case.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    body = client.get(accepted.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in body
    assert client.get(f"/api/v1/referrals/{accepted.pk}/").json()["case_reference"] == case.reference


def test_the_referrer_sees_the_status_and_the_reason_for_declining(client, border, referrals):
    client.force_login(border)
    body = client.get(reverse("referrals:list")).content.decode()
    assert "Declined" in body and "Elsewhere" in body and "Submitted" in body


def test_the_national_coordinator_reads_counts_only(client, national, referrals):
    submit(referrals["police_submitted"].created_by, **anonymous_data())
    client.force_login(national)
    response = client.get(reverse("referrals:list"))
    assert response.context["counts"] == {
        "total": 5,
        "waiting": 2,
        "accepted": 1,
        "declined": 1,
        "anonymous": 1,
    }
    body = response.content.decode()
    for referral in referrals.values():
        assert referral.given_name not in body
    assert client.get("/api/v1/referrals/counts/").json() == response.context["counts"]


def test_counts_are_refused_to_first_responders_and_caseworkers(client, police, caseworker):
    for user in (police, caseworker):
        client.force_login(user)
        assert client.get("/api/v1/referrals/counts/").status_code == 403


# --- the form ---------------------------------------------------------------------------------


def _post_data(**overrides):
    data = complete_data(**overrides)
    post = {}
    for key, value in data.items():
        if key == "consent":
            post[key] = {True: "yes", False: "no", None: ""}[value]
        elif value is None:
            post[key] = ""
        elif isinstance(value, list):
            post[key] = value
        else:
            post[key] = str(value)
    return post


def test_only_first_responders_get_the_form(client, police, caseworker, coordinator, national):
    client.force_login(police)
    assert client.get(reverse("referrals:new")).status_code == 200
    for user in (caseworker, coordinator, national):
        client.force_login(user)
        assert client.get(reverse("referrals:new")).status_code == 403
        assert client.post(reverse("referrals:new"), _post_data()).status_code == 403
    assert not Referral.objects.exists()


def test_a_validation_error_loses_nothing_typed(client, police):
    client.force_login(police)
    post = _post_data(given_name="Olēna", met_place="", forms_of_exploitation=[], consent=None)
    post["action"] = "submit"
    response = client.post(reverse("referrals:new"), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        'value="Olēna"' in body
        and 'value="withheld_documents" checked' in body.replace('" id', '" checked id')
    ) or "Olēna" in body
    form = response.context["form"]
    assert form["given_name"].value() == "Olēna"
    assert form["indicators"].value() == ["withheld_documents", "debt_bondage"]
    assert form.errors == {
        "consent": [str(services.CONSENT_REQUIRED)],
        "met_place": [str(services.MET_PLACE_REQUIRED)],
        "forms_of_exploitation": [str(services.EXPLOITATION_REQUIRED)],
    }
    # The error is tied to its field for screen readers.
    assert 'aria-describedby="id_met_place_error"' in body and 'id="id_met_place_error"' in body
    assert not Referral.objects.exists()


def test_save_a_draft_then_finish_it(client, police, coordinator, django_capture_on_commit_callbacks):
    client.force_login(police)
    response = client.post(
        reverse("referrals:new"), {"given_name": "Olena", "indicators": ["isolation"], "action": "draft"}
    )
    draft = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:edit", kwargs={"pk": draft.pk}
    )
    assert draft.status == Referral.Status.DRAFT and draft.given_name == "Olena"
    page = client.get(response["Location"])
    assert page.context["form"]["given_name"].value() == "Olena"
    assert page.context["form"]["indicators"].value() == ["isolation"]
    post = _post_data(given_name="Olena", family_name="")
    post["action"] = "submit"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], post)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == Referral.Status.SUBMITTED
    outbox_deliver()
    assert len(mail.outbox) == 1
    # Submitted: no more editing.
    assert client.get(reverse("referrals:edit", kwargs={"pk": draft.pk})).status_code == 404


def test_a_colleague_cannot_open_anothers_draft(client, police, police_colleague):
    draft = services.referral_save_draft(actor=police, data={"given_name": "Olena"})
    client.force_login(police_colleague)
    assert client.get(reverse("referrals:edit", kwargs={"pk": draft.pk})).status_code == 404
    assert (
        client.post(reverse("referrals:edit", kwargs={"pk": draft.pk}), {"action": "submit"}).status_code
        == 404
    )


def test_without_consent_the_form_refuses_the_name(client, police):
    client.force_login(police)
    post = _post_data(consent=False, date_of_birth=None)
    post["action"] = "submit"
    response = client.post(reverse("referrals:new"), post)
    assert response.status_code == 400
    assert response.context["form"].errors == {"consent": [str(services.ANONYMOUS_HAS_IDENTITY)]}
    assert response.context["form"]["given_name"].value() == "Aija"


def test_an_expired_session_returns_to_the_form_after_login(client, police):
    response = client.get(reverse("referrals:new"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('referrals:new')}"


# --- intake -----------------------------------------------------------------------------------


def test_the_queue_is_oldest_first_and_flags_the_overdue(client, police, border, coordinator):
    fresh = submit(police)
    old = submitted_days_ago(submit(border), 10)
    submit(police, **anonymous_data())  # not in the queue
    client.force_login(coordinator)
    response = client.get(reverse("referrals:list"))
    queue = response.context["queue"]
    assert [r.pk for r in queue] == [old.pk, fresh.pk]
    assert [r.is_overdue for r in queue] == [True, False]
    assert "More than 3 working days" in response.content.decode()
    assert len(response.context["anonymous"]) == 1


def test_the_queue_shows_days_left_urgent_needs_and_presumed_children_and_filters(
    client, police, border, coordinator
):
    adult = submit(police, urgent_needs=[])
    child = submit(border, given_name="Olena", family_name="Kovalenko", date_of_birth=None, estimated_age=16)
    overdue = submitted_days_ago(submit(border, given_name="Ivan", family_name="Petrov"), 10)
    client.force_login(coordinator)
    response = client.get(reverse("referrals:list"))
    rows = {r.pk: r for r in response.context["queue"]}
    assert rows[adult.pk].working_days_left == 3 and not rows[adult.pk].is_presumed_child
    assert rows[child.pk].is_presumed_child
    assert rows[overdue.pk].working_days_left < 0
    page = response.content.decode()
    assert "3 working days left" in page and "Presumed child" in page and "Shelter" in page

    def shown(**params):
        return [r.pk for r in client.get(reverse("referrals:list"), params).context["queue"]]

    assert shown(show="child") == [child.pk]
    assert shown(show="overdue") == [overdue.pk]
    assert set(shown(show="urgent")) == {child.pk, overdue.pk}
    assert shown(q="kovalenko") == [child.pk]
    assert shown(q=str(adult.pk)) == [adult.pk]
    assert (
        "No waiting referral matches."
        in client.get(reverse("referrals:list"), {"q": "nobody"}).content.decode()
    )


def test_accept_through_the_page_opens_the_case_for_the_caseworker(
    client, police, coordinator, caseworker, caseworker2
):
    referral = submit(police)
    client.force_login(coordinator)
    page = client.get(referral.get_absolute_url())
    assert page.status_code == 200 and "Accept and open a case" in page.content.decode()
    response = client.post(
        reverse("referrals:accept", kwargs={"pk": referral.pk}), {"caseworker": caseworker.pk, "person": ""}
    )
    referral.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == referral.case.get_absolute_url()
    client.force_login(caseworker)
    assert client.get(referral.case.get_absolute_url()).status_code == 200
    client.force_login(caseworker2)
    assert client.get(referral.case.get_absolute_url()).status_code == 404


def test_accept_without_a_caseworker_says_so(client, police, coordinator, other_ngo_worker):
    referral = submit(police)
    client.force_login(coordinator)
    response = client.post(reverse("referrals:accept", kwargs={"pk": referral.pk}), {"caseworker": ""})
    assert response.status_code == 400
    assert response.context["accept_form"].errors == {"caseworker": [str(services.CASEWORKER_REQUIRED)]}
    response = client.post(
        reverse("referrals:accept", kwargs={"pk": referral.pk}), {"caseworker": other_ngo_worker.pk}
    )
    assert response.context["accept_form"].errors == {"caseworker": [str(services.CASEWORKER_NOT_AVAILABLE)]}
    assert not Case.objects.exists()


def test_possible_duplicates_are_shown_and_can_be_chosen(
    client, police, coordinator, caseworker, mandated_ngo, case_of_other_ngo
):
    import datetime

    known = make_case(
        organisation=mandated_ngo,
        person=PersonFactory(
            given_name="Aija", family_name="Berzina", date_of_birth=datetime.date(1994, 3, 12)
        ),
    )
    make_case(organisation=mandated_ngo, person=PersonFactory(given_name="Oksana", family_name="Kovalenko"))
    referral = submit(police)  # Aija Bērziņa, 1994-03-12
    client.force_login(coordinator)
    page = client.get(referral.get_absolute_url())
    duplicates = page.context["duplicates"]
    assert [d.person.pk for d in duplicates] == [known.person_id]
    assert duplicates[0].same_name and duplicates[0].same_date_of_birth
    body = page.content.decode()
    assert known.reference in body and "Same name and date of birth" in body and "Kovalenko" not in body
    response = client.post(
        reverse("referrals:accept", kwargs={"pk": referral.pk}),
        {"caseworker": caseworker.pk, "person": known.person_id},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.person_id == known.person_id and referral.case.person_id == known.person_id


def test_decline_needs_a_reason_on_the_page_too(client, police, coordinator):
    referral = submit(police)
    client.force_login(coordinator)
    response = client.post(reverse("referrals:decline", kwargs={"pk": referral.pk}), {"reason": ""})
    assert response.status_code == 400
    assert response.context["decline_form"].errors == {"reason": [str(services.DECLINE_NEEDS_REASON)]}
    response = client.post(
        reverse("referrals:decline", kwargs={"pk": referral.pk}), {"reason": "Not trafficking."}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    # A second decision is refused with the message.
    response = client.post(
        reverse("referrals:decline", kwargs={"pk": referral.pk}), {"reason": "Again"}, follow=True
    )
    assert str(services.NOT_WAITING % {"status": "declined"}) in response.content.decode()


def test_a_first_responder_cannot_decide(client, police, caseworker):
    referral = submit(police)
    client.force_login(police)
    assert (
        client.post(
            reverse("referrals:accept", kwargs={"pk": referral.pk}), {"caseworker": caseworker.pk}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("referrals:decline", kwargs={"pk": referral.pk}), {"reason": "x"}).status_code
        == 403
    )
    assert "Accept and open a case" not in client.get(referral.get_absolute_url()).content.decode()


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_first_responder_list_query_count_does_not_grow(
    client, police, police_colleague, django_assert_num_queries, rows
):
    for i in range(rows):
        submit(police if i % 2 else police_colleague)
    client.force_login(police)
    with django_assert_num_queries(QUERIES_FIRST_RESPONDER):
        response = client.get(reverse("referrals:list"))
    assert len(response.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_coordinator_list_query_count_does_not_grow(
    client, police, border, coordinator, caseworker, django_assert_num_queries, rows
):
    for i in range(rows):
        referral = submit(police if i % 2 else border)
        if i % 3 == 0:
            services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
        if i % 5 == 0:
            submit(border, **anonymous_data())
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES_COORDINATOR):
        response = client.get(reverse("referrals:list"))
    assert len(response.context["queue"]) == rows - len(range(0, rows, 3))


@pytest.mark.parametrize("rows", [3, 30])
def test_api_list_query_count_does_not_grow(
    client, police, coordinator, caseworker, django_assert_num_queries, rows
):
    for i in range(rows):
        referral = submit(police)
        if i % 2:
            services.referral_accept(referral=referral, actor=coordinator, caseworker=caseworker)
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES_API):
        response = client.get("/api/v1/referrals/")
    assert response.json()["count"] == rows


# session, user, roles, organisation, count, page of referrals, the read log (one insert for the
# rows shown, one for their history), and the session's renewal (savepoint, update, release).
QUERIES_FIRST_RESPONDER = 11
# session, user, roles, organisation, the queue's bounded count and its page, anonymous
# notifications, decisions, the read log (two inserts), the session's renewal (the national
# counts are not shown beside the queue, and not read).
QUERIES_COORDINATOR = 13
# session, user, roles, organisation, count, page (with the case), the read log (two inserts),
# the session's renewal.
QUERIES_API = 11


# --- dashboard and navigation -----------------------------------------------------------------


def test_dashboard_panels_by_role(client, police, coordinator, caseworker, national, border):
    mine = submit(police)
    submitted_days_ago(submit(border), 10)
    client.force_login(police)
    body = client.get(reverse("dashboard")).content.decode()
    assert "My organisation" in body and reverse("referrals:new") in body
    assert mine.get_absolute_url() in body
    client.force_login(coordinator)
    body = client.get(reverse("dashboard")).content.decode()
    assert (
        "2 referrals are waiting for your decision." in body and "1 waiting more than 3 working days" in body
    )
    client.force_login(national)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Referrals by status" in body and "Aija" not in body
    client.force_login(caseworker)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Intake queue" not in body and "My organisation" not in body


def test_nav_item_for_first_responders_and_coordinators(client, police, coordinator, caseworker, sysadmin):
    link = f'href="{reverse("referrals:list")}"'
    for user, shown in ((police, True), (coordinator, True), (caseworker, False), (sysadmin, False)):
        client.force_login(user)
        assert (link in client.get(reverse("dashboard")).content.decode()) == shown, user.username


def test_continue_checks_the_answers_before_anything_is_sent(
    client, police, django_capture_on_commit_callbacks
):
    client.force_login(police)
    post = _post_data(given_name="Olēna")
    post["action"] = "check"
    response = client.post(reverse("referrals:new"), post)
    draft = Referral.objects.get()
    check_url = reverse("referrals:check", kwargs={"pk": draft.pk})
    assert response.status_code == 302 and response["Location"] == check_url
    # Kept as a draft: nothing is sent until the answers are checked.
    assert draft.status == Referral.Status.DRAFT and draft.submitted_at is None
    assert len(mail.outbox) == 0
    page = client.get(check_url)
    body = page.content.decode()
    edit_url = reverse("referrals:edit", kwargs={"pk": draft.pk})
    assert "Olēna" in body and "Identity or travel documents withheld" in body
    # Each answer has a link back to its own field in the form, which still holds every answer.
    assert f'href="{edit_url}#id_given_name"' in body and f'href="{edit_url}#id_indicators_0"' in body
    assert client.get(edit_url).context["form"]["given_name"].value() == "Olēna"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check_url)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == Referral.Status.SUBMITTED
    # Sent: the check page is gone with the draft.
    assert client.get(check_url).status_code == 404


def test_continue_with_missing_answers_stays_on_the_form_and_saves_nothing(client, police):
    client.force_login(police)
    post = _post_data(met_place="")
    post["action"] = "check"
    response = client.post(reverse("referrals:new"), post)
    assert response.status_code == 400
    assert response.context["form"].errors == {"met_place": [str(services.MET_PLACE_REQUIRED)]}
    assert not Referral.objects.exists()


def test_the_check_page_is_the_referrers_alone(client, police, police_colleague, coordinator):
    draft = services.referral_save_for_check(actor=police, data=complete_data())
    check_url = reverse("referrals:check", kwargs={"pk": draft.pk})
    for user in (police_colleague, coordinator):
        client.force_login(user)
        assert client.get(check_url).status_code == 404
        assert client.post(check_url).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Referral.Status.DRAFT


def test_an_exact_match_is_proposed_for_attaching_and_a_close_one_is_not(
    client, police, coordinator, mandated_ngo
):
    import datetime

    known = make_case(
        organisation=mandated_ngo,
        person=PersonFactory(
            given_name="Aija", family_name="Bērziņa", date_of_birth=datetime.date(1994, 3, 12)
        ),
    )
    referral = submit(police)  # Aija Bērziņa, 1994-03-12
    client.force_login(coordinator)
    page = client.get(referral.get_absolute_url())
    form = page.context["accept_form"]
    assert form["person"].value() == known.person_id
    body = page.content.decode()
    assert (
        'id="exact-match"' in body
        and "is already known to your NGO with the same name and date of birth" in body
    )
    chosen = body[
        body.index(f'value="{known.person_id}"') - 200 : body.index(f'value="{known.person_id}"') + 200
    ]
    assert "checked" in chosen
    # A close spelling with another date of birth is shown, but nothing is proposed.
    known.person.date_of_birth = datetime.date(1990, 1, 1)
    known.person.save()
    page = client.get(referral.get_absolute_url())
    assert page.context["accept_form"]["person"].value() == ""
    assert 'id="exact-match"' not in page.content.decode()
    assert [d.person.pk for d in page.context["duplicates"]] == [known.person_id]
