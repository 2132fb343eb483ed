"""The de-identified case-level export for research, in the fields of the Human Trafficking Case
Data Standard (as the CTDC publishes them), k-anonymous over its quasi-identifiers.

Quasi-identifiers (what someone who knows a victim could match): year of registration, gender,
age band, citizenship, country of exploitation. Every combination of them that is released must
be shared by at least k cases (settings.PRIVACY_EXPORT_K, default 11 as the CTDC publishes).

Global recoding first (a whole column is generalised one level at a time: country -> group ->
withheld; age band -> child/adult -> withheld; year -> withheld), the column with the most
distinct values first, until at most 10 % of the cases would still be in groups smaller than k;
those cases are then left out. The file is checked once more before it is released, and a report
says what was generalised and how many cases were left out.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery

from cases.models import EU_EEA_CH, LATVIA, Case
from referrals.models import Exploitation, Indicator, Referral

WITHHELD = ""
MAX_SUPPRESSED_SHARE = 0.10

# CTDC's broad age bands.
AGE_BANDS = [(0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47), (48, 200)]


def _band(age: int | None) -> str:
    if age is None:
        return WITHHELD
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}--{high}" if high < 200 else f"{low}+"
    return WITHHELD


def _child_adult(age: int | None) -> str:
    return WITHHELD if age is None else ("0--17" if age < 18 else "18+")


def _group(code: str) -> str:
    if not code:
        return WITHHELD
    if code == LATVIA:
        return "LV"
    return "EU/EEA/CH" if code in EU_EEA_CH else "non-EU"


# For each quasi-identifier, its levels of generalisation, from the finest to withheld.
LEVELS = {
    "yearOfRegistration": [lambda r: str(r["year"]), lambda r: WITHHELD],
    "gender": [lambda r: r["gender"], lambda r: WITHHELD],
    "ageBroad": [lambda r: _band(r["age"]), lambda r: _child_adult(r["age"]), lambda r: WITHHELD],
    "citizenship": [lambda r: r["citizenship"], lambda r: _group(r["citizenship"]), lambda r: WITHHELD],
    "CountryOfExploitation": [
        lambda r: r["exploited_in"],
        lambda r: _group(r["exploited_in"]),
        lambda r: WITHHELD,
    ],
}
QUASI = list(LEVELS)
FLAGS = [
    ("isSexualExploit", Exploitation.SEXUAL),
    ("isForcedLabour", Exploitation.FORCED_LABOUR),
    ("isForcedCriminality", Exploitation.FORCED_CRIMINALITY),
    ("isBegging", Exploitation.BEGGING),
    ("isForcedMarriage", Exploitation.MARRIAGE),
    ("isOrganRemoval", Exploitation.ORGAN_REMOVAL),
    ("isOtherExploit", Exploitation.OTHER),
]
CONTROLS = [
    ("meansDebtBondageEarnings", Indicator.DEBT_BONDAGE),
    ("meansWithholdDocs", Indicator.WITHHELD_DOCUMENTS),
    ("meansThreats", Indicator.THREATS_VIOLENCE),
    ("meansRestrictsMovement", Indicator.RESTRICTED_MOVEMENT),
    ("meansFalsePromises", Indicator.FALSE_PROMISES),
    ("meansExcessiveWorkHours", Indicator.EXCESSIVE_HOURS),
    ("meansPsychologicalAbuse", Indicator.PSYCHOLOGICAL_ABUSE),
    ("meansTakesEarnings", Indicator.CONFISCATED_EARNINGS),
]
HEADER = [*QUASI, "isIdentified", *[f for f, _v in FLAGS], *[c for c, _v in CONTROLS]]


@dataclass
class Release:
    k: int
    rows: list[dict]
    levels: dict[str, int]
    suppressed: int
    total: int
    generalised: list[str] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def report(self) -> list[str]:
        lines = [f"k = {self.k}: {len(self.rows)} of {self.total} cases released, {self.suppressed} left out"]
        lines += [f"generalised: {g}" for g in self.generalised] or ["generalised: nothing"]
        return lines


class NotKAnonymous(Exception):
    """The file about to be released has a group smaller than k (never released)."""


def _source_rows() -> list[dict]:
    referral = Referral.objects.filter(case=OuterRef("pk"), status="accepted").order_by("submitted_at")
    cases = (
        Case.objects.filter(victim_status__in=(Case.VictimStatus.IDENTIFIED, Case.VictimStatus.PRESUMED))
        .select_related("person")
        .annotate(
            forms=Subquery(referral.values("forms_of_exploitation")[:1]),
            controls=Subquery(referral.values("indicators")[:1]),
            exploited_in=Subquery(referral.values("country_of_exploitation")[:1]),
        )
        .order_by("pk")
    )
    rows = []
    for case in cases:
        person = case.person
        codes = sorted(c.code for c in person.citizenships)
        rows.append(
            {
                "year": case.opened_on.year,
                "gender": {"female": "Female", "male": "Male"}.get(person.sex, WITHHELD),
                "age": person.age_on(case.opened_on),
                "citizenship": codes[0] if len(codes) == 1 else WITHHELD,
                "exploited_in": case.exploited_in or WITHHELD,
                "identified": case.victim_status == Case.VictimStatus.IDENTIFIED,
                "forms": set(case.forms or []),
                "controls": set(case.controls or []),
            }
        )
    return rows


def _keys(rows, levels) -> list[tuple]:
    return [tuple(LEVELS[q][levels[q]](r) for q in QUASI) for r in rows]


def build(*, k: int | None = None, rows: list[dict] | None = None) -> Release:
    k = k or settings.PRIVACY_EXPORT_K
    rows = _source_rows() if rows is None else rows
    levels = dict.fromkeys(QUASI, 0)
    while True:
        keys = _keys(rows, levels)
        sizes = Counter(keys)
        small = sum(1 for key in keys if sizes[key] < k)
        if small <= MAX_SUPPRESSED_SHARE * len(rows):
            break
        open_ = [q for q in QUASI if levels[q] < len(LEVELS[q]) - 1]
        if not open_:
            break
        # The column that splits the cases most is generalised first.
        distinct = {q: len({LEVELS[q][levels[q]](r) for r in rows}) for q in open_}
        levels[max(open_, key=lambda q: (distinct[q], -QUASI.index(q)))] += 1
    released = []
    for row, key in zip(rows, keys, strict=True):
        if sizes[key] < k:
            continue
        out = dict(zip(QUASI, key, strict=True))
        out["isIdentified"] = int(row["identified"])
        out.update({name: int(value in row["forms"]) for name, value in FLAGS})
        out.update({name: int(value in row["controls"]) for name, value in CONTROLS})
        released.append(out)
    check(released, k)
    generalised = [
        f"{q}: {'withheld' if levels[q] == len(LEVELS[q]) - 1 else 'grouped'}" for q in QUASI if levels[q] > 0
    ]
    return Release(k, released, levels, len(rows) - len(released), len(rows), generalised)


def check(rows: list[dict], k: int) -> None:
    sizes = Counter(tuple(r[q] for q in QUASI) for r in rows)
    if any(n < k for n in sizes.values()):
        raise NotKAnonymous
