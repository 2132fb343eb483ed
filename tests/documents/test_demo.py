"""The demo's documents: the ground document on the proposal awaiting review, a permit shared
with the agency; loading twice adds nothing."""

import pytest
from django.urls import reverse

from cases.demo import load_demo
from cases.models import User
from documents import selectors, services
from documents.models import Document, DocumentShare

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_ground_document_for_the_review_and_a_shared_permit(client, media_root):
    state = load_demo(password="demo-password-for-tests")
    load_demo(password="demo-password-for-tests")
    assert Document.objects.count() == 2 and DocumentShare.objects.count() == 1
    aija = state["cases"]["aija"]
    [ground] = Document.objects.filter(case=aija, record_kind="identification")
    coordinator = User.objects.get(username="coordinator")
    assert services.document_read(document=ground, actor=coordinator).startswith(b"%PDF")
    client.force_login(coordinator)
    proposal = aija.identifications.get()
    page = client.get(
        reverse("services:identification_review", args=[aija.reference, proposal.pk])
    ).content.decode()
    assert "Valsts policijas izziņa VP-2026/118" in page
    employment = User.objects.get(username="employment")
    share = DocumentShare.objects.select_related("referral").get()
    assert [
        d.pk for d in selectors.document_shared_with_referral(user=employment, referral=share.referral)
    ] == [share.document_id]
