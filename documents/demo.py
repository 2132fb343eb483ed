"""Demo data: the ground document of Aija Bērziņa's identification awaiting review (the
coordinator opens it from the review page), and Ahmed's residence permit shared with the agency.

Idempotent: a case that already has documents is left as it is. The files are made here (a
one-page PDF) and go through the same service as an upload: checked, encrypted, stored.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from monitoring.pdf import render_pdf
from reintegration import selectors as reintegration_selectors
from services import selectors as services_selectors

from . import services
from .models import Document, DocumentType, RecordKind


def _pdf(title: str, lines: list[str]) -> SimpleUploadedFile:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = f'<html><body style="font-family: DejaVu Sans"><h1>{escape(title)}</h1>{body}</body></html>'
    return SimpleUploadedFile("demo.pdf", render_pdf(html), content_type="application/pdf")


def load(state: dict) -> None:
    cases, users, today = state["cases"], state["users"], state["today"]
    caseworker = users["caseworker"]

    aija = cases.get("aija")
    if aija is not None and aija.is_open and not Document.objects.filter(case=aija).exists():
        proposal = services_selectors.identification_current(case=aija)
        if proposal is not None:
            services.document_attach(
                case=aija,
                actor=caseworker,
                upload=_pdf(
                    "Valsts policija: izziņa VP-2026/118",
                    [
                        "Izziņa par personas atzīšanu par cilvēku tirdzniecības upuri.",
                        "Demonstrācijas dokuments.",
                    ],
                ),
                doc_type=DocumentType.STATEMENT,
                title="Valsts policijas izziņa VP-2026/118",
                document_date=proposal.le_date or today,
                record_kind=RecordKind.IDENTIFICATION,
                record_id=proposal.pk,
            )

    ahmed = cases.get("ahmed")
    if ahmed is not None and ahmed.is_open and not Document.objects.filter(case=ahmed).exists():
        permit = services_selectors.residence_permit_get(case=ahmed)
        document = services.document_attach(
            case=ahmed,
            actor=caseworker,
            upload=_pdf(
                "Uzturēšanās atļauja",
                ["Termiņuzturēšanās atļauja cilvēku tirdzniecības upurim.", "Demonstrācijas dokuments."],
            ),
            doc_type=DocumentType.PERMIT,
            title="Uzturēšanās atļauja",
            document_date=today - datetime.timedelta(days=200),
            record_kind=RecordKind.RESIDENCE_PERMIT if permit else RecordKind.CASE,
            record_id=permit.pk if permit else None,
        )
        for referral in reintegration_selectors.case_referrals(case=ahmed):
            if referral.is_active and referral.is_employment:
                services.document_share(document=document, referral=referral, actor=caseworker)
