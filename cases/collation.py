"""Latvian order of words: Č after C (not after Z), Ā beside A, in the database and in Python.

PostgreSQL sorts with the ICU collation `nrm_lv` (created by a migration; ICU's Latvian rules);
SQLite, the demo's database, has no ICU, so there the lists keep the plain order. Python-side lists
(the countries of a form) use `latvian_key`, which follows the same rules: č, ģ, ķ, ļ, ņ, š, ž are
letters of their own after c, g, k, l, n, s, z; long vowels and foreign accents only break ties.
"""

from __future__ import annotations

import unicodedata

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.translation import get_language

COLLATION = "nrm_lv"
_OWN_LETTERS = {"č": "c~", "ģ": "g~", "ķ": "k~", "ļ": "l~", "ņ": "n~", "š": "s~", "ž": "z~"}


def latvian_key(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    primary, secondary = [], []
    for ch in unicodedata.normalize("NFC", text).casefold():
        if ch in _OWN_LETTERS:
            primary.append(_OWN_LETTERS[ch])
            secondary.append("")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        primary.append(decomposed[0])
        secondary.append(decomposed[1:])
    return tuple(primary), tuple(secondary)


def plain_key(text: str) -> tuple[str, str]:
    """Accents only break ties (Åland beside Albania), for the other languages."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.casefold(), text


def sort_key_for_language(language: str | None = None):
    language = language or get_language() or ""
    return latvian_key if language.startswith("lv") else plain_key


def sorted_countries() -> list[tuple[str, str]]:
    """django-countries' (code, name) pairs in the page's language, in that language's order."""
    from django_countries import countries

    key = sort_key_for_language()
    return sorted(((c.code, str(c.name)) for c in countries), key=lambda pair: key(pair[1]))


def lv_collated(field: str):
    """An ORDER BY expression for a name: Latvian order on PostgreSQL, the plain one elsewhere."""
    if connection.vendor == "postgresql":
        return Collate(F(field), COLLATION)
    return F(field)
