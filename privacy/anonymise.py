"""Anonymising cases and referrals: set-based, in the live tables and in their history tables.

The registry (cases/personal_data.py) says, for every model of every app, how it hangs off a case
and what anonymising each personal field means. For a set of cases, each registered model gets
one UPDATE of its live rows and one of its history rows (simple-history rows are full copies of
personal data, deleted rows included). The person is anonymised with their last case that is not.
What statistics need stays: sex, an age instead of the date of birth, citizenships, forms of
exploitation, dates kept to their month where the registry says so, and every count and limit.

An active legal hold stops it; a case already anonymised is skipped, so running twice changes
nothing the second time. Each case (or referral) gets one Anonymisation row: when, which rule.

The rows are rewritten in place (a queryset update) on purpose: a new history row per record
would be one more copy to clear, and the Anonymisation row is the record that it happened.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Case as When_Case
from django.db.models import DateField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import Case, Person
from cases.personal_data import REDACTED, Entry, Rule, entries
from referrals.models import Referral

from .models import Anonymisation, LegalHold


def active_hold_exists():
    return Exists(LegalHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True))


def _expression(name: str, rule: Rule):
    if rule == Rule.BLANK:
        return Value("")
    if rule == Rule.REDACT:
        # An empty field stays empty (a constraint may require it to be), any text becomes a dash.
        return When_Case(When(**{name: ""}, then=Value("")), default=Value(REDACTED))
    if rule == Rule.NULL:
        return None
    if rule == Rule.MONTH:
        return TruncMonth(name, output_field=DateField())
    if rule == Rule.EMPTY_LIST:
        return Value([])
    raise ValueError(rule)


def _values(model, fields: dict[str, Rule]) -> dict:
    present = {f.name for f in model._meta.concrete_fields}
    return {name: _expression(name, rule) for name, rule in fields.items() if name in present}


def _reason_cleared() -> dict:
    # A change reason is typed by a user (a reason for closing, for returning...): it may name anyone.
    return {
        "history_change_reason": When_Case(
            When(Q(history_change_reason__isnull=True) | Q(history_change_reason=""), then=Value("")),
            default=Value(REDACTED),
        )
    }


def _scrub(entry: Entry, live_filter: dict, history_filter: dict) -> None:
    live = entry.model.objects.filter(**live_filter)
    if entry.on_anonymise is not None:
        entry.on_anonymise(live)
    values = _values(entry.model, entry.fields)
    if values:
        live.update(**values)
    history_model = entry.model.history.model
    rows = history_model.objects.filter(**history_filter)
    rows.update(**_values(history_model, entry.fields), **_reason_cleared())


def _case_scoped(case_ids: list[int]) -> None:
    for entry in entries():
        if entry.case_path is None or not entry.is_personal:
            continue
        if entry.case_path == "":
            _scrub(entry, {"pk__in": case_ids}, {"id__in": case_ids})
        else:
            lookup = {f"{entry.case_path}__in": case_ids}
            _scrub(entry, lookup, lookup)


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _people(case_ids: list[int]) -> list[int]:
    """Anonymise the people of these cases who have no other case still identifiable."""
    others = (
        Case.objects.filter(person=OuterRef("pk")).exclude(pk__in=case_ids).filter(anonymisation__isnull=True)
    )
    people = Person.objects.filter(cases__pk__in=case_ids).exclude(Exists(others)).distinct()
    rows = list(people.values_list("pk", "date_of_birth", "cases__opened_on"))
    if not rows:
        return []
    # The date of birth gives way to the age on the day the first case opened, estimated on its
    # month: the age group of the statistics survives, the birthday does not.
    first_opened: dict[int, tuple[datetime.date | None, datetime.date]] = {}
    for pk, born, opened in rows:
        if pk not in first_opened or opened < first_opened[pk][1]:
            first_opened[pk] = (born, opened)
    groups: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    for pk, (born, opened) in first_opened.items():
        if born is not None:
            groups[(_age_on(born, opened), opened.replace(day=1))].append(pk)
    history = Person.history.model
    for (age, month), pks in groups.items():
        Person.objects.filter(pk__in=pks).update(
            date_of_birth=None, estimated_age=age, estimated_age_on=month
        )
        history.objects.filter(id__in=pks).update(
            date_of_birth=None, estimated_age=age, estimated_age_on=month
        )
    person_ids = list(first_opened)
    entry = next(e for e in entries() if e.model is Person)
    _scrub(entry, {"pk__in": person_ids}, {"id__in": person_ids})
    return person_ids


@transaction.atomic
def anonymise_cases(*, case_ids, rule: str, actor=None, now: datetime.datetime | None = None) -> list[int]:
    """Anonymise the given cases that are not held and not done yet; returns those done now."""
    candidates = (
        Case.objects.select_for_update(of=("self",))
        .filter(pk__in=list(case_ids), anonymisation__isnull=True)
        .exclude(active_hold_exists())
        .order_by("pk")
    )
    ids = list(candidates.values_list("pk", flat=True))
    if not ids:
        return []
    _case_scoped(ids)
    _people(ids)
    done_at = now or timezone.now()
    for pk in ids:
        record = Anonymisation(case_id=pk, rule=rule, done_at=done_at, done_by=actor)
        record._history_user = actor
        record.save()
    return ids


@transaction.atomic
def anonymise_referrals(
    *, referral_ids, rule: str, actor=None, now: datetime.datetime | None = None
) -> list[int]:
    """Anonymise referrals that opened no case (declined ones, anonymous notifications)."""
    ids = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=list(referral_ids), case__isnull=True, anonymisation__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    entry = next(e for e in entries() if e.model is Referral)
    _scrub(entry, {"pk__in": ids}, {"id__in": ids})
    done_at = now or timezone.now()
    for pk in ids:
        record = Anonymisation(referral_id=pk, rule=rule, done_at=done_at, done_by=actor)
        record._history_user = actor
        record.save()
    return ids
