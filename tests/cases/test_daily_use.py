"""Amounts typed as people type them, Latvian order of words, countries in the page's language."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.collation import latvian_key, sorted_countries
from cases.forms import (
    AMOUNT_AMBIGUOUS,
    AMOUNT_NOT_A_NUMBER,
    AMOUNT_UNUSUALLY_LARGE,
    AmountConfirmMixin,
    AmountField,
    format_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("120,50", "120.50"),
        ("120.50", "120.50"),
        ("1 200,50", "1200.50"),
        ("1\u00a0200,50", "1200.50"),
        ("1.200,50", "1200.50"),
        ("1,200.50", "1200.50"),
        ("4500,5", "4500.5"),
        ("12050", "12050"),
        ("€ 12,5", "12.5"),
        ("1.234.567,89", "1234567.89"),
    ],
)
def test_amounts_accept_the_decimal_comma_in_every_language(typed, amount):
    for language in ("lv", "en"):
        with translation.override(language):
            assert parse_amount(typed) == Decimal(amount)


def test_an_amount_that_reads_two_ways_or_none_is_refused_with_a_message():
    with pytest.raises(ValidationError) as exc:
        parse_amount("1,200")
    assert exc.value.messages == [AMOUNT_AMBIGUOUS % {"value": "1,200"}]
    for typed in ("abc", "1,2,3", "12-5", "1.2.3,4.5"):
        with pytest.raises(ValidationError) as exc:
            parse_amount(typed)
        assert exc.value.messages == [str(AMOUNT_NOT_A_NUMBER)]


def test_amounts_show_with_thousands_grouped_in_the_readers_form():
    with translation.override("lv"):
        assert format_amount(Decimal("4500.5")) == "4\u00a0500,50"
    with translation.override("en"):
        assert format_amount(Decimal("4500.5")) == "4,500.50"


class _Form(AmountConfirmMixin, forms.Form):
    amount_eur = AmountField(label="Amount")


def test_an_unusually_large_amount_asks_for_a_confirmation_once():
    form = _Form(data={"amount_eur": "12050"})
    assert not form.is_valid()
    assert form.errors["amount_eur"] == [
        AMOUNT_UNUSUALLY_LARGE % {"amount": "12,050.00", "limit": "5,000.00"}
    ]
    assert isinstance(form.fields["amount_confirmed"].widget, forms.CheckboxInput)
    form = _Form(data={"amount_eur": "12050", "amount_confirmed": "on"})
    assert form.is_valid()
    assert form.cleaned_data == {"amount_eur": Decimal("12050")}
    assert _Form(data={"amount_eur": "120,50"}).is_valid()


def test_latvian_order_puts_c_caron_after_c_and_long_vowels_beside_short():
    words = ["Čada", "Zeta", "Cēsis", "Dānija", "Centrāl", "Azo", "Ābele", "Šveice", "Sīrija", "Turcija"]
    assert sorted(words, key=latvian_key) == [
        "Ābele",
        "Azo",
        "Centrāl",
        "Cēsis",
        "Čada",
        "Dānija",
        "Sīrija",
        "Šveice",
        "Turcija",
        "Zeta",
    ]


def test_countries_follow_the_pages_language_and_its_order():
    with translation.override("lv"):
        lv = sorted_countries()
        names = [name for _, name in lv]
        assert ("VN", "Vjetnama") in lv
        assert names.index("Centrālāfrikas Republika") < names.index("Čada") < names.index("Dānija")
    with translation.override("en"):
        en = sorted_countries()
        assert ("VN", "Vietnam") in en and ("VN", "Vjetnama") not in en


@pytest.mark.django_db
def test_names_sort_in_latvian_order_in_the_database(mandated_ngo):
    from cases.models import Role
    from cases.selectors import caseworkers_assignable_to
    from tests.factories import UserFactory, make_case

    for n, last in enumerate(("Zariņa", "Čakste", "Cīrule", "Dombrovska")):
        UserFactory(
            username=f"cw{n}",
            organisation=mandated_ngo,
            last_name=last,
            first_name="Anna",
            roles=[Role.CASEWORKER],
        )
    case = make_case(organisation=mandated_ngo)
    names = [u.last_name for u in caseworkers_assignable_to(case=case)]
    assert names == ["Cīrule", "Čakste", "Dombrovska", "Zariņa"]
