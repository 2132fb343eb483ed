"""The papers for the victim: every text translated in every language offered, the leaflet and
the consent form rendered as PDF and read back."""

import gettext

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from documents import papers
from tests.monitoring.conftest import pdf_text

pytestmark = pytest.mark.django_db


def _source(text) -> str:
    with translation.override("en"):
        return str(text)


@pytest.mark.parametrize("language", [code for code in papers.LANGUAGE_CODES if code != "en"])
def test_every_text_of_the_papers_is_translated(language):
    """A catalogue a translator works in (locale/<lang>/LC_MESSAGES/django.po, compiled): an
    untranslated or fuzzy entry is not in the compiled catalogue and fails here."""
    path = settings.LOCALE_PATHS[0] / language / "LC_MESSAGES" / "django.mo"
    with open(path, "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    missing = [
        _source(text)
        for text in papers.all_texts()
        if not catalogue.get(f"{papers.CONTEXT}\x04{_source(text)}", "").strip()
    ]
    assert missing == [], f"untranslated in {language}: {missing}"


# A sentence of each language's leaflet, as it must come back out of the PDF.
READ_BACK = {
    "lv": ("Jūsu tiesības kā cilvēku tirdzniecības upurim", "Pārdomu periods", "Juridiskā palīdzība"),
    "en": ("Your rights as a victim of human trafficking", "Reflection period", "Legal aid"),
    "ru": ("Ваши права как жертвы торговли людьми", "Период для размышления", "Юридическая помощь"),
    "uk": ("Ваші права як постраждалої особи від торгівлі людьми", "Період для роздумів", "Правова допомога"),
}


@pytest.mark.parametrize("language", papers.LANGUAGE_CODES)
def test_the_rights_leaflet_renders_in_each_language(case_of_caseworker, language):
    pdf = papers.render_paper("leaflet", case=case_of_caseworker, language=language)
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    for sentence in READ_BACK[language]:
        assert sentence in text
    assert "180" in text and "150" in text and case_of_caseworker.reference in text
    # No name of the person on a paper that may be left lying about.
    assert case_of_caseworker.person.family_name not in text


@pytest.mark.parametrize("language", papers.LANGUAGE_CODES)
def test_the_consent_form_renders_in_each_language(case_of_caseworker, language):
    with translation.override(language):
        title = str(papers.CONSENT_TITLE)
        signature = str(papers.CONSENT_SIGNATURES[2])
    text = " ".join(
        pdf_text(papers.render_paper("consent", case=case_of_caseworker, language=language)).split()
    )
    assert title in text and signature in text


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ("krievu, latviešu", "ru"),
        ("Ukrainian; Russian", "uk"),
        ("українська", "uk"),
        ("русский", "ru"),
        ("English", "en"),
        ("latviešu", "lv"),
        ("vjetnamiešu", "lv"),
        ("", "lv"),
    ],
)
def test_the_language_is_picked_from_the_persons_languages(languages, expected):
    assert papers.language_for(languages) == expected


def test_the_case_page_prints_the_leaflet_in_the_persons_language_and_another_on_request(
    client, caseworker, case_of_caseworker
):
    case_of_caseworker.person.languages = "ukraiņu, krievu"
    case_of_caseworker.person.save()
    client.force_login(caseworker)
    page = client.get(case_of_caseworker.get_absolute_url()).content.decode()
    assert '<option value="uk" selected>' in page
    url = reverse("documents:paper_leaflet", args=[case_of_caseworker.reference])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "-uk.pdf" in response["Content-Disposition"]
    )
    assert "Період для роздумів" in " ".join(pdf_text(response.content).split())
    response = client.get(url, {"language": "lv"})
    assert "Pārdomu periods" in " ".join(pdf_text(response.content).split())


def test_only_who_works_the_case_prints_the_papers(client, national, other_ngo_worker, case_of_caseworker):
    url = reverse("documents:paper_consent", args=[case_of_caseworker.reference])
    client.force_login(national)
    assert client.get(url).status_code == 403
    client.force_login(other_ngo_worker)
    assert client.get(url).status_code == 404
