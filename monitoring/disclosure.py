"""Statistical disclosure control of the published tables: primary and secondary suppression,
audited by solving the published cells as an attacker would.

A published table of victims has one row per category (the total, each sex, age group,
citizenship group and form of exploitation) and three columns (identified, presumed and their
sum, registered). Its cells are tied together: registered = identified + presumed in every row,
the categories of sex, of age group and of citizenship each add up to the total, and the forms
of exploitation (a person may have several) are each at most the total. Showing "<5" in one cell
beside the total and the other categories hides nothing (8 - 7 = 1).

So a table is published in three steps:

1. primary suppression: every count from 1 to 4 is withheld;
2. secondary suppression: more cells are withheld until no withheld cell can be worked out
   exactly;
3. the audit that decides step 2 is an integer linear programme over everything a reader of the
   published tables knows: the equations above, the published values, a withheld cell being at
   least 1 (a zero is never withheld), and counts being whole and never negative. A withheld cell
   is safe when both "one less than its true value" and "one more" remain possible.

Every withheld cell is written ``c`` (Eurostat's flag for confidential), small or not: were the
small ones written "<5" and the others differently, a reader would know the others are 5 or
more, and a neighbouring period publishing 5 would pin them.

Differencing across periods: the tables of two periods that differ by one day differ by that
day's victims. The audit of a period therefore solves it together with its four neighbours
(one day more or less at either end) as each of them would be published on its own, with the
days modelled as separate unknown tables. A neighbour as actually published suppresses at least
as much (suppression is only ever added), so it tells a reader no more than the audit assumed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

WITHHELD = "c"
COLUMNS = 3  # identified, presumed, registered
ID, PRES, REG = 0, 1, 2
SMALL_MAX = 4

PUBLISHED, SMALL, CONFIDENTIAL = "published", "small", "confidential"


@dataclass(frozen=True)
class Shape:
    """Which rows add up to which: the structure every reader of the table knows."""

    total: int
    groups: tuple[tuple[int, ...], ...]  # each group's rows add up to the total row
    forms: tuple[int, ...] = ()  # rows of a multi-valued breakdown: each at most the total
    none_form: int | None = None  # the "none recorded" row of that breakdown

    def lines(self, row: int, col: int) -> list[list[tuple[int, int]]]:
        """The equations a cell takes part in, as lists of cells."""
        out = [[(row, c) for c in range(COLUMNS)]]
        for group in self.groups:
            if row in group or row == self.total:
                out.append([(r, col) for r in group] + [(self.total, col)])
        return out


Table = list[list[int]]  # rows x (identified, presumed, registered)
Status = list[list[str]]


def primary(values: Table) -> Status:
    return [[SMALL if 1 <= v <= SMALL_MAX else PUBLISHED for v in row] for row in values]


def _cells(n_rows: int) -> int:
    return n_rows * COLUMNS


class _Model:
    """The attacker's integer programme over a set of unknown "atom" tables (periods of days)."""

    def __init__(self, shape: Shape, n_rows: int, n_atoms: int):
        self.shape, self.n_rows, self.n_atoms = shape, n_rows, n_atoms
        self.n = _cells(n_rows) * n_atoms
        self.rows: list[np.ndarray] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.cap = 0
        for atom in range(n_atoms):
            self._structure(atom)

    def var(self, atom: int, row: int, col: int) -> int:
        return atom * _cells(self.n_rows) + row * COLUMNS + col

    def add(self, coefficients: dict[int, float], lo: float, hi: float) -> None:
        vector = np.zeros(self.n)
        for index, coefficient in coefficients.items():
            vector[index] += coefficient
        self.rows.append(vector)
        self.lo.append(lo)
        self.hi.append(hi)

    def _structure(self, atom: int) -> None:
        s, v = self.shape, self.var
        for r in range(self.n_rows):
            self.add({v(atom, r, REG): 1, v(atom, r, ID): -1, v(atom, r, PRES): -1}, 0, 0)
        for c in range(COLUMNS):
            total = v(atom, s.total, c)
            for group in s.groups:
                coefficients = {v(atom, r, c): 1.0 for r in group}
                coefficients[total] = coefficients.get(total, 0) - 1
                self.add(coefficients, 0, 0)
            for r in s.forms:
                self.add({v(atom, r, c): 1, total: -1}, -np.inf, 0)
                if s.none_form is not None and r != s.none_form:
                    self.add({v(atom, r, c): 1, v(atom, s.none_form, c): 1, total: -1}, -np.inf, 0)
            if s.forms:
                coefficients = {v(atom, r, c): 1.0 for r in s.forms}
                coefficients[total] = coefficients.get(total, 0) - 1
                self.add(coefficients, 0, np.inf)

    def cell(self, atoms: Sequence[int], row: int, col: int) -> dict[int, float]:
        return {self.var(a, row, col): 1.0 for a in atoms}

    def publish(self, atoms: Sequence[int], values: Table, status: Status) -> None:
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                expr = self.cell(atoms, r, c)
                if status[r][c] == PUBLISHED:
                    self.add(expr, value, value)
                else:
                    self.add(expr, 1, np.inf)
                self.cap = max(self.cap, value)

    def solve(self, objective: np.ndarray, extra: dict[int, float] | None = None, lo=0.0, hi=0.0):
        """An integer solution (or None when there is none). The variables are capped far above
        any true count: a cap only tells the audit more than a reader knows, so it errs on the
        safe side, and it keeps the maximisations bounded."""
        rows, lows, highs = self.rows, self.lo, self.hi
        if extra is not None:
            rows, lows, highs = [*rows, self._vector(extra)], [*lows, lo], [*highs, hi]
        result = milp(
            c=objective,
            constraints=LinearConstraint(np.vstack(rows), lows, highs),
            integrality=np.ones(self.n),
            bounds=Bounds(0, 4 * self.cap + 10),
        )
        return np.round(result.x) if result.status == 0 else None

    def _vector(self, coefficients: dict[int, float]) -> np.ndarray:
        vector = np.zeros(self.n)
        for index, coefficient in coefficients.items():
            vector[index] += coefficient
        return vector

    def value(self, x: np.ndarray, expr: dict[int, float]) -> int:
        return round(sum(x[i] * k for i, k in expr.items()))


@dataclass
class Publication:
    """One period's table as seen by the audit: its atoms and its values."""

    atoms: tuple[int, ...]
    values: Table


def exposed_cells(
    shape: Shape,
    target: Publication,
    status: Status,
    others: Sequence[tuple[Publication, Status]],
    n_atoms: int,
) -> list[tuple[int, int]]:
    """The suppressed cells of `target` that the published tables determine exactly."""
    model = _Model(shape, len(target.values), n_atoms)
    model.publish(target.atoms, target.values, status)
    for publication, other_status in others:
        model.publish(publication.atoms, publication.values, other_status)
    true = {
        (r, c): target.values[r][c]
        for r, row in enumerate(status)
        for c, state in enumerate(row)
        if state != PUBLISHED
    }
    exprs = {cell: model.cell(target.atoms, *cell) for cell in true}
    undecided = set(true)

    def absorb(x) -> None:
        # Any solution in which a withheld cell differs from its true value shows it is not pinned.
        if x is not None:
            undecided.difference_update(
                {cell for cell in undecided if model.value(x, exprs[cell]) != true[cell]}
            )

    everything = np.zeros(model.n)
    for expr in exprs.values():
        everything += model._vector(expr)
    absorb(model.solve(everything))
    absorb(model.solve(-everything))
    out = []
    for cell in sorted(true):
        if cell not in undecided:
            continue
        lower = model.solve(np.zeros(model.n), exprs[cell], -np.inf, true[cell] - 1)
        absorb(lower)
        if lower is None:
            higher = model.solve(np.zeros(model.n), exprs[cell], true[cell] + 1, np.inf)
            absorb(higher)
            if higher is None:
                out.append(cell)
                undecided.discard(cell)
    return out


def _partner(shape: Shape, values: Table, status: Status, cell: tuple[int, int]) -> tuple[int, int] | None:
    """The cell to suppress next to protect `cell`: the smallest published non-zero count sharing
    an equation with it, else the smallest anywhere."""

    def candidates(cells):
        return [(values[r][c], r, c) for r, c in cells if status[r][c] == PUBLISHED and values[r][c] > 0]

    near = candidates({rc for line in shape.lines(*cell) for rc in line})
    pool = near or candidates({(r, c) for r in range(len(values)) for c in range(COLUMNS)})
    if not pool:
        return None
    _v, r, c = min(pool)
    return r, c


def _line_pass(shape: Shape, values: Table, status: Status) -> None:
    """The classic first step: no equation may hold exactly one suppressed cell."""
    changed = True
    while changed:
        changed = False
        for r in range(len(values)):
            for c in range(COLUMNS):
                if status[r][c] == PUBLISHED:
                    continue
                for line in shape.lines(r, c):
                    hidden = [rc for rc in line if status[rc[0]][rc[1]] != PUBLISHED]
                    if len(hidden) == 1:
                        partner = _partner(shape, values, status, (r, c))
                        candidates = [rc for rc in line if rc != (r, c)]
                        in_line = [
                            (values[rr][cc], rr, cc)
                            for rr, cc in candidates
                            if status[rr][cc] == PUBLISHED and values[rr][cc] > 0
                        ]
                        if in_line:
                            _v, rr, cc = min(in_line)
                            partner = (rr, cc)
                        if partner is not None:
                            status[partner[0]][partner[1]] = CONFIDENTIAL
                            changed = True


def protect(
    shape: Shape,
    values: Table,
    *,
    neighbours: Sequence[tuple[Publication, Status]] = (),
    atoms: tuple[int, ...] = (0,),
    n_atoms: int = 1,
    start: Status | None = None,
) -> Status:
    """The suppression pattern of one table: primary, then secondary until the audit passes."""
    status = [row[:] for row in (start or primary(values))]
    _line_pass(shape, values, status)
    target = Publication(atoms, values)
    for _round in range(len(values) * COLUMNS):
        exposed = exposed_cells(shape, target, status, neighbours, n_atoms)
        if not exposed:
            return status
        partners = {_partner(shape, values, status, cell) for cell in exposed} - {None}
        if not partners:
            break
        for r, c in partners:
            status[r][c] = CONFIDENTIAL
        _line_pass(shape, values, status)
    # Nothing left to suppress: hide every count rather than publish a determinable one.
    return [
        [PUBLISHED if v == 0 else (SMALL if v <= SMALL_MAX else CONFIDENTIAL) for v in row] for row in values
    ]


def protect_period(
    shape: Shape,
    start: datetime.date,
    end: datetime.date,
    table_for: Callable[[datetime.date, datetime.date], Table],
) -> tuple[Table, Status]:
    """The pattern for the period [start, end], safe also beside the periods one day longer or
    shorter at either end (each as it would be published by itself).

    The days are modelled as atoms: A = start - 1, B = start, M = the days between, E = end,
    F = end + 1 (M and E are empty when the period is one or two days long).
    """

    def shift(day: datetime.date, days: int) -> datetime.date | None:
        try:
            return day + datetime.timedelta(days=days)
        except OverflowError:
            return None

    values = table_for(start, end)
    a, b, m, e, f = range(5)
    if start == end:
        target = (b,)
        around = [((a, b), shift(start, -1), end), ((b, f), start, shift(end, 1))]
        empty = [m, e]
    else:
        target = (b, m, e)
        around = [
            ((a, b, m, e), shift(start, -1), end),
            ((m, e), shift(start, 1), end),
            ((b, m), start, shift(end, -1)),
            ((b, m, e, f), start, shift(end, 1)),
        ]
        empty = [m] if end == shift(start, 1) else []
    neighbours = []
    for atoms, s, t in around:
        if s is None or t is None:
            continue  # a day before the first or after the last date there is: nobody can ask for it
        neighbour_values = table_for(s, t)
        neighbours.append((Publication(atoms, neighbour_values), protect(shape, neighbour_values)))
    # An empty atom is a known zero table: published as such, it ties nothing else.
    zero = [[0] * COLUMNS for _ in values]
    neighbours.extend((Publication((atom,), zero), primary(zero)) for atom in empty)
    within = protect(shape, values)
    status = protect(shape, values, neighbours=neighbours, atoms=target, n_atoms=5, start=within)
    return values, status


def render(values: Table, status: Status) -> list[list[str]]:
    return [
        [str(v) if s == PUBLISHED else WITHHELD for v, s in zip(row, srow, strict=True)]
        for row, srow in zip(values, status, strict=True)
    ]
