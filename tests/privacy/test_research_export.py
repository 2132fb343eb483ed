"""The de-identified research export: k-anonymous before release, with a report."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command

from privacy import research_export
from privacy.research_export import QUASI, NotKAnonymous

pytestmark = pytest.mark.django_db


def _row(i, *, citizenship="LV", age=30, year=2026, gender="Female", exploited_in="LV"):
    return {
        "year": year,
        "gender": gender,
        "age": age,
        "citizenship": citizenship,
        "exploited_in": exploited_in,
        "identified": i % 2 == 0,
        "forms": {"sexual"},
        "controls": {"debt_bondage"},
    }


def _classes(release):
    return Counter(tuple(r[q] for q in QUASI) for r in release.rows)


def test_a_unique_person_is_generalised_away():
    rows = [_row(i) for i in range(30)] + [_row(99, citizenship="VN", age=15, exploited_in="DE")]
    release = research_export.build(k=11, rows=rows)
    assert min(_classes(release).values()) >= 11
    assert all(r["citizenship"] != "VN" for r in release.rows)
    assert release.total == 31
    assert release.suppressed + len(release.rows) == 31
    assert (
        release.report()[0]
        == f"k = 11: {len(release.rows)} of 31 cases released, {release.suppressed} left out"
    )


def test_generalisation_is_preferred_to_leaving_many_out():
    # Ten countries of three cases each: no country reaches k, their groups do.
    countries = ["UA", "BY", "RU", "VN", "IN", "NP", "UZ", "MD", "GE", "PH"]
    rows = [_row(i, citizenship=c) for i, c in enumerate(countries * 3)] + [_row(100 + i) for i in range(12)]
    release = research_export.build(k=11, rows=rows)
    assert release.suppressed == 0
    assert {r["citizenship"] for r in release.rows} == {"non-EU", "LV"}
    assert "citizenship: grouped" in release.generalised


def test_the_check_refuses_a_file_with_a_small_group():
    rows = [dict.fromkeys(QUASI, "x") for _ in range(3)]
    with pytest.raises(NotKAnonymous):
        research_export.check(rows, 11)


def test_the_command_writes_the_file_from_the_database(tmp_path, mandated_ngo, capsys):
    from tests.factories import PersonFactory, make_case

    for day in range(12):
        make_case(
            organisation=mandated_ngo,
            opened_on=datetime.date(2026, 2, 1 + day),
            person=PersonFactory(sex="female", date_of_birth=datetime.date(1995, 1, 1), citizenships=["LV"]),
        )
    make_case(
        organisation=mandated_ngo,
        opened_on=datetime.date(2026, 3, 1),
        person=PersonFactory(sex="male", date_of_birth=datetime.date(2010, 1, 1), citizenships=["VN"]),
    )
    out = tmp_path / "ctdc.csv"
    call_command("export_research", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 12 and all(r["citizenship"] == "LV" for r in rows)
    assert "k = 11: 12 of 13 cases released, 1 left out" in capsys.readouterr().out
