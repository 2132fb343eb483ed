"""The Eurostat CSV against a reader who solves it: differencing rows, columns, totals and two
periods a day apart.

The attacker here is written independently of monitoring/disclosure.py: it reads only the
published CSV files, knows how the rows add up (as anyone reading the table does), and for each
suppressed cell computes the least and the greatest whole value consistent with everything
published (an integer linear programme). A suppressed cell whose least and greatest values
coincide has been disclosed.
"""

import csv
import datetime
import io
import random

import numpy as np
import pytest
from django.urls import reverse
from scipy.optimize import Bounds, LinearConstraint, milp

from monitoring import disclosure
from monitoring.statistics import NO_FORM
from tests.factories import PersonFactory, make_case

D = datetime.date
GROUPS = ("sex", "age_group", "citizenship")


class Attacker:
    """Unknown tables ("atoms") of whole non-negative counts; published tables are sums of atoms."""

    def __init__(self, keys, n_atoms):
        self.keys = keys  # (breakdown, category) per row
        self.n_rows = len(keys)
        self.n = n_atoms * self.n_rows * 3
        self.a, self.lo, self.hi = [], [], []
        for atom in range(n_atoms):
            self._structure(atom)

    def v(self, atom, row, col):
        return (atom * self.n_rows + row) * 3 + col

    def _add(self, coefficients, lo, hi):
        vector = np.zeros(self.n)
        for index, k in coefficients:
            vector[index] += k
        self.a.append(vector)
        self.lo.append(lo)
        self.hi.append(hi)

    def _structure(self, atom):
        total = self.keys.index(("total", "total"))
        forms = [i for i, k in enumerate(self.keys) if k[0] == "form_of_exploitation"]
        none = self.keys.index(("form_of_exploitation", NO_FORM))
        for r in range(self.n_rows):
            self._add([(self.v(atom, r, 2), 1), (self.v(atom, r, 0), -1), (self.v(atom, r, 1), -1)], 0, 0)
        for c in range(3):
            for group in GROUPS:
                rows = [i for i, k in enumerate(self.keys) if k[0] == group]
                self._add([(self.v(atom, r, c), 1) for r in rows] + [(self.v(atom, total, c), -1)], 0, 0)
            for r in forms:
                self._add([(self.v(atom, r, c), 1), (self.v(atom, total, c), -1)], -np.inf, 0)
                if r != none:
                    self._add(
                        [(self.v(atom, r, c), 1), (self.v(atom, none, c), 1), (self.v(atom, total, c), -1)],
                        -np.inf,
                        0,
                    )
            self._add([(self.v(atom, r, c), 1) for r in forms] + [(self.v(atom, total, c), -1)], 0, np.inf)

    def publish(self, atoms, table):
        for r, key in enumerate(self.keys):
            for c, shown in enumerate(table[key]):
                terms = [(self.v(a, r, c), 1) for a in atoms]
                if shown == "<5":
                    self._add(terms, 1, 4)
                elif shown == "c":
                    self._add(terms, 1, np.inf)  # withheld: a zero is never withheld
                else:
                    self._add(terms, int(shown), int(shown))

    def _milp(self, objective):
        return milp(
            c=objective,
            constraints=LinearConstraint(np.vstack(self.a), self.lo, self.hi),
            integrality=np.ones(self.n),
            bounds=Bounds(0, np.inf),
        )

    def _solve(self, objective):
        result = self._milp(objective)
        if result.status != 0:
            # HiGHS may not tell "unbounded" from "infeasible": the tables are consistent, so the
            # objective is unbounded (no greatest value).
            assert self._milp(np.zeros(self.n)).status == 0, result.message
            return None
        return round(result.fun)

    def range_of(self, atoms, row, col):
        objective = np.zeros(self.n)
        for a in atoms:
            objective[self.v(a, row, col)] = 1
        low = self._solve(objective)
        high = self._solve(-objective)
        return low, None if high is None else -high

    def disclosed(self, atoms, table):
        out = []
        for r, key in enumerate(self.keys):
            for c, shown in enumerate(table[key]):
                if shown in ("<5", "c"):
                    low, high = self.range_of(atoms, r, c)
                    if low == high:
                        out.append((key, c, low))
        return out


def _csv(client, start, end):
    response = client.get(reverse("monitoring:export_csv"), {"from": f"{start}", "to": f"{end}"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    return {(r[2], r[3]): r[4:] for r in rows}


def _victim(org, opened_on, *, child=False, sex="female", citizenship="LV"):
    born = D(2015, 1, 1) if child else D(1990, 1, 1)
    return make_case(
        organisation=org,
        opened_on=opened_on,
        person=PersonFactory(sex=sex, date_of_birth=born, citizenships=[citizenship]),
    )


@pytest.fixture
def eight_victims_one_child(mandated_ngo):
    """The reproduced leak: 8 victims, 7 adults and 1 child; one more child the day after."""
    for day in range(7):
        _victim(mandated_ngo, D(2026, 2, 2 + day), sex="male" if day == 3 else "female")
    _victim(mandated_ngo, D(2026, 3, 2), child=True, citizenship="UA")
    _victim(mandated_ngo, D(2026, 7, 1), child=True, citizenship="UA")
    _victim(mandated_ngo, D(2025, 12, 31), citizenship="DE")


def test_the_attacker_solves_a_table_with_only_primary_suppression(eight_victims_one_child):
    """The attacker works: on the old output (only "<5") it finds the single child."""
    from monitoring.statistics import Period, _eurostat_breakdowns, eurostat_counts

    keys = _eurostat_breakdowns()
    values = eurostat_counts(org_id=None, period=Period(D(2026, 1, 1), D(2026, 6, 30)))
    table = {
        key: ["<5" if 1 <= v <= 4 else str(v) for v in row] for key, row in zip(keys, values, strict=True)
    }
    assert table[("age_group", "child")] == ["0", "<5", "<5"]
    attacker = Attacker(keys, 1)
    attacker.publish((0,), table)
    assert (("age_group", "child"), 1, 1) in attacker.disclosed((0,), table)


def test_no_suppressed_cell_is_disclosed_within_a_period(client, national, eight_victims_one_child):
    client.force_login(national)
    table = _csv(client, "2026-01-01", "2026-06-30")
    keys = list(table)
    assert table[("age_group", "child")][2] == "c"
    # 8 victims beside 7 adults would give the child away: one of them is suppressed too.
    assert "c" in (table[("total", "total")][2], table[("age_group", "adult")][2])
    attacker = Attacker(keys, 1)
    attacker.publish((0,), table)
    assert attacker.disclosed((0,), table) == []


@pytest.mark.parametrize(
    "second",
    [("2026-01-01", "2026-07-01"), ("2026-01-02", "2026-06-30"), ("2025-12-31", "2026-06-30")],
    ids=["a day more at the end", "a day less at the start", "a day more at the start"],
)
def test_no_suppressed_cell_is_disclosed_by_two_periods_a_day_apart(
    client, national, eight_victims_one_child, second
):
    client.force_login(national)
    first = _csv(client, "2026-01-01", "2026-06-30")
    other = _csv(client, *second)
    keys = list(first)
    # Atoms: 0 = the days both periods share, 1 = the day only one of them has.
    one_longer = second[0] < "2026-01-01" or second[1] > "2026-06-30"
    attacker = Attacker(keys, 2)
    if one_longer:
        base, extended = (0,), (0, 1)
        attacker.publish(base, first)
        attacker.publish(extended, other)
        disclosed = attacker.disclosed(base, first) + attacker.disclosed(extended, other)
    else:
        base, extended = (0,), (0, 1)
        attacker.publish(base, other)
        attacker.publish(extended, first)
        disclosed = attacker.disclosed(base, other) + attacker.disclosed(extended, first)
    assert disclosed == []


@pytest.mark.parametrize("seed", range(3))
def test_random_tables_and_their_neighbours_disclose_nothing(seed):
    """Synthetic days of victims: every period and its day-longer twin are solved together."""
    from monitoring.statistics import _eurostat_breakdowns, eurostat_shape

    rng = random.Random(seed)
    keys = _eurostat_breakdowns()
    shape = eurostat_shape()
    index = {key: i for i, key in enumerate(keys)}
    groups = {g: [k for k in keys if k[0] == g] for g in GROUPS}
    forms = [k for k in keys if k[0] == "form_of_exploitation" and k[1] != NO_FORM]
    days = {}
    for day in range(12):
        table = [[0, 0, 0] for _ in keys]
        for _person in range(rng.choice([0, 0, 1, 1, 2, 3])):
            col = rng.choice([0, 1])
            picked = [("total", "total")] + [rng.choice(groups[g]) for g in GROUPS]
            chosen = rng.sample(forms, rng.choice([0, 1, 1, 2]))
            picked += chosen or [("form_of_exploitation", NO_FORM)]
            for key in picked:
                table[index[key]][col] += 1
                table[index[key]][2] += 1
        days[D(2026, 1, 1) + datetime.timedelta(days=day)] = table

    def table_for(start, end):
        out = [[0, 0, 0] for _ in keys]
        for day, table in days.items():
            if start <= day <= end:
                for r, row in enumerate(table):
                    for c, v in enumerate(row):
                        out[r][c] += v
        return out

    start = D(2026, 1, 2)
    for end in (D(2026, 1, 2), D(2026, 1, 9)):
        published = {}
        for s, e in ((start, end), (start, end + datetime.timedelta(days=1))):
            values, status = disclosure.protect_period(shape, s, e, table_for)
            published[e] = dict(zip(keys, disclosure.render(values, status), strict=True))
        attacker = Attacker(keys, 2)
        attacker.publish((0,), published[end])
        attacker.publish((0, 1), published[end + datetime.timedelta(days=1)])
        assert attacker.disclosed((0,), published[end]) == []
        assert attacker.disclosed((0, 1), published[end + datetime.timedelta(days=1)]) == []
