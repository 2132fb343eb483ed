"""Downloads: access like the case page, attachment + no-store, every download in the read log;
partners only with an explicit share."""

import pytest
from django.urls import reverse

from cases.models import CaseAccess
from documents import selectors, services
from documents.models import Document, DocumentShare
from reintegration import services as reintegration_services
from tests.factories import CONSENT

from .conftest import PDF

pytestmark = pytest.mark.django_db


def _download(client, user, document):
    client.force_login(user)
    return client.get(reverse("documents:download", args=[document.pk]))


def _downloads(case):
    return CaseAccess.objects.filter(case=case, kind=CaseAccess.Kind.DOWNLOAD)


@pytest.fixture
def referral(case_of_caseworker, municipality, caseworker):
    return reintegration_services.referral_create(
        **CONSENT,
        case=case_of_caseworker,
        partner=municipality.organisation,
        needs_note="Housing",
        actor=caseworker,
    )


def test_the_caseworker_downloads_an_attachment_with_no_store_and_it_is_in_the_read_log(
    client, caseworker, case_of_caseworker, attach
):
    document = attach(case_of_caseworker)
    for expected in (1, 2):
        response = _download(client, caseworker, document)
        assert response.status_code == 200
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert _downloads(case_of_caseworker).count() == expected
    access = _downloads(case_of_caseworker).first()
    assert access.user == caseworker and access.reader_name == caseworker.display_name


@pytest.mark.parametrize("who", ["coordinator", "national"])
def test_the_coordinator_and_the_national_coordinator_download(
    request, client, case_of_caseworker, attach, who
):
    user = request.getfixturevalue(who)
    response = _download(client, user, attach(case_of_caseworker))
    assert response.status_code == 200
    assert _downloads(case_of_caseworker).get().user == user


@pytest.mark.parametrize(
    "who", ["other_ngo_worker", "caseworker2", "municipality", "employment", "sysadmin", "police"]
)
def test_everyone_who_may_not_see_the_case_gets_404_and_nothing_is_logged(
    request, client, case_of_caseworker, attach, referral, who
):
    document = attach(case_of_caseworker)
    user = request.getfixturevalue(who)
    assert _download(client, user, document).status_code == 404
    assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 404
    assert not _downloads(case_of_caseworker).exists()


def test_a_missing_document_is_the_same_404(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("documents:download", args=[987654])).status_code == 404


def test_a_partner_downloads_only_what_was_shared_with_their_referral(
    client, caseworker, municipality, employment, case_of_caseworker, attach, referral
):
    shared = attach(case_of_caseworker, title="Residence permit", doc_type="permit")
    not_shared = attach(case_of_caseworker, title="Medical report", doc_type="medical")
    services.document_share(document=shared, referral=referral, actor=caseworker)

    assert _download(client, municipality, shared).status_code == 200
    assert _downloads(case_of_caseworker).get().user == municipality
    assert _download(client, municipality, not_shared).status_code == 404
    # Another partner (the agency, not referred) gets nothing.
    assert _download(client, employment, shared).status_code == 404
    # The partner's narrow view lists the shared file and nothing else.
    client.force_login(municipality)
    page = client.get(reverse("reintegration:detail", args=[referral.pk])).content.decode()
    assert "Residence permit" in page and "Medical report" not in page
    assert [d.pk for d in selectors.document_shared_with_referral(user=municipality, referral=referral)] == [
        shared.pk
    ]

    services.document_unshare(document=shared, referral=referral, actor=caseworker)
    assert _download(client, municipality, shared).status_code == 404
    share = DocumentShare.objects.get()
    assert share.history.first().history_user == caseworker


def test_a_share_ends_with_the_referral(
    client, caseworker, municipality, case_of_caseworker, attach, referral
):
    shared = attach(case_of_caseworker)
    services.document_share(document=shared, referral=referral, actor=caseworker)
    reintegration_services.referral_withdraw(referral=referral, actor=caseworker, reason="Moved away")
    assert _download(client, municipality, shared).status_code == 404


def test_sharing_with_a_referral_of_another_case_is_refused(
    caseworker2, case_of_caseworker, case_of_caseworker2, municipality, attach, referral
):
    from django.core.exceptions import ValidationError

    other = attach(case_of_caseworker2, actor=caseworker2)
    with pytest.raises(ValidationError) as error:
        services.document_share(document=other, referral=referral, actor=caseworker2)
    assert error.value.message_dict["referral"] == [str(services.REFERRAL_NOT_OF_CASE)]


def test_the_case_page_lists_the_documents_without_their_content(
    client, caseworker, case_of_caseworker, attach
):
    attach(case_of_caseworker, title="Decision of the investigator")
    client.force_login(caseworker)
    page = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert "Decision of the investigator" in page
    assert reverse("documents:download", args=[Document.objects.get().pk]) in page
    assert "Print the rights leaflet (PDF)" in page


def test_the_document_list_runs_the_same_queries_for_one_and_many(
    caseworker, case_of_caseworker, attach, django_assert_num_queries, referral
):
    first = attach(case_of_caseworker)
    services.document_share(document=first, referral=referral, actor=caseworker)
    with django_assert_num_queries(2):
        assert len(list(selectors.document_list(case=case_of_caseworker))) == 1
    for n in range(6):
        services.document_share(
            document=attach(case_of_caseworker, title=f"Doc {n}"), referral=referral, actor=caseworker
        )
    with django_assert_num_queries(2):
        assert len(list(selectors.document_list(case=case_of_caseworker))) == 7
