"""The papers a victim is given in their own language: the leaflet on their rights and the
consent form for referral and sharing. The texts are in the translation catalogues
(locale/<lang>/LC_MESSAGES/django.po, context "victim papers"), where a translator works on them;
tests/documents/test_papers.py fails for any of them missing in a language offered here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from cases.models import normalise_name

CONTEXT = "victim papers"


# The languages the papers are printed in, each named in itself (the person reads the list).
LANGUAGES = [("lv", "Latviešu"), ("en", "English"), ("ru", "Русский"), ("uk", "Українська")]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]

# How the person's languages are written on the case, in any of the four languages.
_LANGUAGE_WORDS = {
    "uk": ("ukrain", "ukrai", "украин", "украї", "україн", "ukr", "uk"),
    "ru": ("russ", "krievu", "русск", "рос", "rus", "ru"),
    "lv": ("latv", "латыш", "латис", "lv"),
    "en": ("engl", "angl", "англ", "en"),
}


def language_for(languages: str) -> str:
    """The first of the person's languages the papers exist in; Latvian when none is."""
    for word in normalise_name(
        (languages or "").replace(",", " ").replace(";", " ").replace("/", " ")
    ).split():
        for code, stems in _LANGUAGE_WORDS.items():
            if any(
                word == stem or (len(stem) > 2 and word.startswith(stem))
                for stem in map(normalise_name, stems)
            ):
                return code
    return "lv"


@dataclass(frozen=True)
class Section:
    heading: object
    paragraphs: tuple


LEAFLET_TITLE = pgettext_lazy("victim papers", "Your rights as a victim of human trafficking")
LEAFLET_INTRO = pgettext_lazy(
    "victim papers",
    "This leaflet tells you what help you can receive in Latvia and what your rights are. "
    "The help is free of charge. Your caseworker answers your questions; you may ask for an "
    "interpreter.",
)
LEAFLET = (
    Section(
        pgettext_lazy("victim papers", "Reflection period"),
        (
            pgettext_lazy(
                "victim papers",
                "If you are not a citizen of the European Union, the European Economic Area or "
                "Switzerland, you have a reflection period of 30 days. During it you can recover and "
                "decide, free from pressure, whether to cooperate with the police and the prosecutor. "
                "You are not expelled from Latvia during this time.",
            ),
        ),
    ),
    Section(
        pgettext_lazy("victim papers", "Social rehabilitation funded by the state"),
        (
            pgettext_lazy(
                "victim papers",
                "Once you are identified as a victim, the mandated organisation provides a course of "
                "social rehabilitation: a safe place to stay, a talk about your urgent needs, a "
                "rehabilitation plan, consultations with a social worker, a psychologist, a lawyer "
                "and a doctor, support during criminal proceedings and material assistance.",
            ),
            pgettext_lazy(
                "victim papers",
                "Its limits: the course lasts at most 180 days. After it you may have up to five "
                "one-hour consultations within two years. Support during criminal proceedings is "
                "limited to 150 hours in total. The family members of a victim who is a minor may "
                "have up to five consultations.",
            ),
        ),
    ),
    Section(
        pgettext_lazy("victim papers", "Legal aid"),
        (
            pgettext_lazy(
                "victim papers",
                "You have the right to legal aid funded by the state: a lawyer advises you and can "
                "represent you in criminal proceedings. An interpreter is provided free of charge.",
            ),
        ),
    ),
    Section(
        pgettext_lazy("victim papers", "Compensation"),
        (
            pgettext_lazy(
                "victim papers",
                "You may claim compensation for the harm done to you from the offender in the "
                "criminal proceedings, and state compensation for victims of crime. Your caseworker "
                "helps you prepare the claim.",
            ),
        ),
    ),
    Section(
        pgettext_lazy("victim papers", "Residence permit for third-country nationals"),
        (
            pgettext_lazy(
                "victim papers",
                "If you are not a citizen of the European Union, the European Economic Area or "
                "Switzerland, you can receive a temporary residence permit as a victim of "
                "trafficking. With it you may work for any employer. Your caseworker helps you "
                "submit your travel document and the statements needed.",
            ),
        ),
    ),
    Section(
        pgettext_lazy("victim papers", "Your information"),
        (
            pgettext_lazy(
                "victim papers",
                "Your case file is confidential. Only the people working on your case see it, and "
                "every view is recorded. You may ask to see what is recorded about you.",
            ),
        ),
    ),
)

CONSENT_TITLE = pgettext_lazy("victim papers", "Consent to referral and to sharing information")
CONSENT_INTRO = pgettext_lazy(
    "victim papers", "I, the undersigned, have been told in a language I understand:"
)
CONSENT_TOLD = (
    pgettext_lazy("victim papers", "what the mandated organisation does and what help it provides;"),
    pgettext_lazy("victim papers", "that my information is recorded in a case file and kept confidential;"),
    pgettext_lazy(
        "victim papers",
        "that I may withdraw my consent at any time without losing the help I already receive.",
    ),
)
CONSENT_AGREE = pgettext_lazy("victim papers", "I agree (tick what applies):")
CONSENT_ITEMS = (
    pgettext_lazy(
        "victim papers",
        "to be referred to the mandated organisation for identification and assistance funded by the state;",
    ),
    pgettext_lazy(
        "victim papers", "that the organisation shares what is needed with the municipal social service;"
    ),
    pgettext_lazy(
        "victim papers", "that the organisation shares what is needed with the State Employment Agency;"
    ),
    pgettext_lazy(
        "victim papers", "that the organisation shares with these partners only the documents named here:"
    ),
)
CONSENT_SIGNATURES = (
    pgettext_lazy("victim papers", "Name"),
    pgettext_lazy("victim papers", "Date"),
    pgettext_lazy("victim papers", "Signature"),
    pgettext_lazy("victim papers", "Interpreter (if any)"),
    pgettext_lazy("victim papers", "Caseworker"),
)
CONSENT_AFTER = pgettext_lazy(
    "victim papers", "The signed form is scanned and attached to the case file as a consent document."
)
CASE_LINE = pgettext_lazy("victim papers", "Case %(reference)s · %(organisation)s")


def all_texts() -> list:
    """Every text of the papers, for the catalogue test."""
    texts = [
        LEAFLET_TITLE,
        LEAFLET_INTRO,
        CONSENT_TITLE,
        CONSENT_INTRO,
        CONSENT_AGREE,
        CONSENT_AFTER,
        CASE_LINE,
    ]
    for section in LEAFLET:
        texts += [section.heading, *section.paragraphs]
    texts += [*CONSENT_TOLD, *CONSENT_ITEMS, *CONSENT_SIGNATURES]
    return texts


PAPERS = {"leaflet": "documents/leaflet_pdf.html", "consent": "documents/consent_pdf.html"}


def render_paper(kind: str, *, case, language: str) -> bytes:
    """The paper as a PDF in `language`: only the case's reference and the NGO's name on it, so
    that a leaflet left lying about tells nobody who was helped."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from monitoring.pdf import render_pdf

    with translation.override(language):
        html = render_to_string(
            PAPERS[kind],
            {
                "language": language,
                "case_line": CASE_LINE
                % {"reference": case.reference, "organisation": case.organisation.name},
                "leaflet_title": LEAFLET_TITLE,
                "leaflet_intro": LEAFLET_INTRO,
                "sections": LEAFLET,
                "consent_title": CONSENT_TITLE,
                "consent_intro": CONSENT_INTRO,
                "consent_told": CONSENT_TOLD,
                "consent_agree": CONSENT_AGREE,
                "consent_items": CONSENT_ITEMS,
                "consent_signatures": CONSENT_SIGNATURES,
                "consent_after": CONSENT_AFTER,
            },
        )
    return render_pdf(html)
