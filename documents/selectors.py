"""Every read of documents a view or the API needs, already scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from cases import selectors as case_selectors
from cases.models import Case, User
from reintegration import selectors as reintegration_selectors

from . import permissions
from .models import Document, DocumentShare
from .permissions import Action

# An onward referral (reintegration.PartnerReferral): that app is reached only through its
# selectors, so its model is not imported here even for the types.
PartnerReferral = Any


def documents_case_for_user_or_404(*, user: User, reference: str) -> Case:
    return case_selectors.case_get_for_user_or_404(user=user, reference=reference)


def _active_shares() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch(
        "shares",
        queryset=DocumentShare.objects.filter(revoked_at__isnull=True).select_related("referral__partner"),
        to_attr="active_shares",
    )


def document_list(*, case: Case) -> QuerySet[Document]:
    """The case's active documents, newest first (callers have checked the user sees the case)."""
    return (
        Document.objects.filter(case=case, status=Document.Status.ACTIVE)
        .select_related("uploaded_by")
        .prefetch_related(_active_shares())
        .order_by("-document_date", "-pk")
    )


def document_list_for_record(*, case: Case, kind: str, record_id: int | None) -> QuerySet[Document]:
    return document_list(case=case).filter(record_kind=kind, record_id=record_id)


def document_summary_rows(*, case: Case) -> list[Document]:
    """Type, title and date of the case's documents for the PDF summary; never their content."""
    return list(
        Document.objects.filter(case=case, status=Document.Status.ACTIVE)
        .only("pk", "doc_type", "title", "document_date", "record_kind", "case_id")
        .order_by("document_date", "pk")
    )


def _shared_with_user(user: User) -> QuerySet[DocumentShare]:
    referrals = reintegration_selectors.partner_referral_list_for_user(user=user)
    return DocumentShare.objects.filter(revoked_at__isnull=True, referral__in=referrals.values("pk"))


def document_get_for_user_or_404(*, user: User, pk: int) -> Document:
    """One active document the user may download: through the case file, or shared with the
    user's partner organisation; a 404 alike for a missing one and one out of scope."""
    document = (
        Document.objects.filter(pk=pk, status=Document.Status.ACTIVE, destroyed_at__isnull=True)
        .select_related("case__person", "case__organisation")
        .first()
    )
    if document is None:
        raise Http404
    if permissions.can(user, Action.VIEW, document.case):
        return document
    if _shared_with_user(user).filter(document=document).exists():
        return document
    raise Http404


def document_history_get_for_user_or_404(*, user: User, pk: int) -> Document:
    """A document, current or not, for its page of history: only through the case file."""
    document = Document.objects.filter(pk=pk).select_related("case__person", "case__organisation").first()
    if document is None or not permissions.can(user, Action.VIEW, document.case):
        raise Http404
    return document


def document_versions(*, document: Document) -> list[Document]:
    """The document and the versions it replaced, newest first."""
    versions = [document]
    current = document
    while current.replaces_id is not None and len(versions) < 50:
        current = Document.objects.select_related("uploaded_by", "removed_by").get(pk=current.replaces_id)
        versions.append(current)
    return versions


def document_shared_with_referral(*, user: User, referral: PartnerReferral) -> list[Document]:
    """The documents shared with this onward referral, for its partner's narrow view."""
    shares = _shared_with_user(user).filter(referral=referral, document=OuterRef("pk"))
    return list(
        Document.objects.filter(status=Document.Status.ACTIVE, destroyed_at__isnull=True)
        .filter(Exists(shares))
        .order_by("-document_date", "-pk")
    )
