"""Every read of the privacy app, scoped to the user.

The subject-access export walks the registry of personal data (cases/personal_data.py), so a
record of any app, present or added later, is in it without this module naming it. Fields the
registry marks as another person's details or as internal notes are withheld, with a note saying
so; staff are named only where the person is entitled to know who read or changed their file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases.models import Case, CaseAccess, Person, User
from cases.personal_data import WITHHOLD_NOTES, Entry, Withhold, entries, entry_for

from . import permissions
from .models import Anonymisation, ErasureRequest, LegalHold, RetentionRule
from .permissions import Action


def case_get_for_user_or_404(*, user: User, reference: str, action: str = Action.VIEW) -> Case:
    case = Case.objects.select_related("person", "organisation").filter(reference=reference).first()
    if case is None or not permissions.can(user, action, case):
        raise Http404
    return case


def privacy_section(*, user: User, case: Case) -> dict[str, Any]:
    holds = list(case.legal_holds.select_related("placed_by", "lifted_by"))
    erasures = list(case.erasure_requests.select_related("proposed_by", "decided_by"))
    anonymisation = Anonymisation.objects.filter(case=case).first()
    return {
        "case": case,
        "holds": holds,
        "active_holds": [h for h in holds if h.is_active],
        "erasures": erasures,
        "open_erasure": next((e for e in erasures if e.status == ErasureRequest.Status.PROPOSED), None),
        "anonymisation": anonymisation,
        "may_manage": permissions.can(user, Action.MANAGE, case) and anonymisation is None,
        "may_export": permissions.can(user, Action.EXPORT_SUBJECT_ACCESS, case),
        "hold_kinds": LegalHold.Kind.choices,
        "user": user,
    }


# --- subject access ---------------------------------------------------------------------------


@dataclass
class Item:
    title: str
    fields: list[tuple[str, str]]
    withheld: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Group:
    title: str
    items: list[Item]


@dataclass
class SubjectAccess:
    person: Item
    cases: list[tuple[Case, list[Group]]]
    history: list[dict[str, Any]]
    reads: list[dict[str, Any]]
    withheld_notes: list[str]
    produced_by: User
    produced_at: datetime.datetime
    partial_scope: bool


# Technical columns, not data about the person: where a document's ciphertext is stored and its
# wrapped key (documents/models.py) must never reach an export.
_SKIP = {"id", "search_name", "created_at", "updated_at", "storage_name", "wrapped_key", "key_id"}


def _display(instance: models.Model, f: models.Field[Any, Any]) -> str:
    value = getattr(instance, f.attname)
    if value in (None, "", [], {}):
        return ""
    if type(f).__name__ == "CountryField":
        countries = getattr(instance, f.name)
        countries = [countries] if hasattr(countries, "code") else list(countries)
        return ", ".join(str(c.name) for c in countries)
    if f.choices:
        return str(getattr(instance, f"get_{f.name}_display")())
    if isinstance(f, models.ForeignKey):
        return str(getattr(instance, f.name))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _item(instance: models.Model, entry: Entry, *, skip: set[str]) -> tuple[Item, list[str]]:
    fields, withheld, notes = [], [], []
    user_model = settings.AUTH_USER_MODEL.lower()
    for f in instance._meta.concrete_fields:
        if f.name in _SKIP or f.name in skip:
            continue
        if isinstance(f, models.ForeignKey) and (
            f.related_model._meta.label_lower == user_model or f.related_model in (Case, Person)
        ):
            continue  # staff who recorded it (not the person's data); the case and person are the headings
        label = capfirst(str(f.verbose_name))
        reason = entry.withhold.get(f.name) if entry is not None else None
        if reason is None and isinstance(f, models.ForeignKey):
            related = entry_for(f.related_model)
            if related is not None and related.withhold:
                reason = Withhold.THIRD_PARTY  # e.g. a family member named by a consultation
        if reason is not None:
            note = str(WITHHOLD_NOTES[reason])
            if getattr(instance, f.attname) not in (None, "", []):
                withheld.append((label, note))
                notes.append(note)
            continue
        value = _display(instance, f)
        if value:
            fields.append((label, value))
    return Item(str(instance._meta.verbose_name).capitalize(), fields, withheld), notes


def subject_access_for(*, user: User, case: Case) -> SubjectAccess:
    """Everything held on the person of this case, in every case of theirs the user may see."""
    if not permissions.can(user, Action.EXPORT_SUBJECT_ACCESS, case):
        raise Http404
    person = case.person
    all_cases = list(
        Case.objects.filter(person=person).select_related("organisation").order_by("opened_on", "pk")
    )
    cases = [c for c in all_cases if permissions.can(user, Action.EXPORT_SUBJECT_ACCESS, c)]
    notes: list[str] = []
    person_entry = next(e for e in entries() if e.model is Person)
    person_item, n = _item(person, person_entry, skip=set())
    notes += n
    out_cases = []
    history: list[dict[str, Any]] = []
    case_ids = [c.pk for c in cases]
    for entry in entries():
        if entry.case_path is None or not entry.is_personal:
            continue
        # simple-history adds the `history` manager at run time; it has no types.
        tracked: Any = entry.model
        history_rows = tracked.history.model.objects.filter(
            **({"id__in": case_ids} if entry.case_path == "" else {f"{entry.case_path}__in": case_ids})
        ).select_related("history_user__organisation")
        for row in history_rows:
            history.append(_history_line(entry.model, row))
    for row in person.history.select_related("history_user__organisation"):
        history.append(_history_line(Person, row))
    for c in cases:
        groups = []
        for entry in entries():
            if entry.case_path is None or entry.case_path == "" or not entry.is_personal:
                continue
            if entry.model is CaseAccess:
                continue  # the read log has its own part below
            rows = entry.model._default_manager.filter(**{entry.case_path: c}).order_by("pk")
            items = []
            for row in rows:
                item, n = _item(row, entry, skip=set())
                notes += n
                items.append(item)
            if items:
                groups.append(Group(str(entry.model._meta.verbose_name_plural).capitalize(), items))
        case_item, n = _item(c, next(e for e in entries() if e.model is Case), skip={"year", "number"})
        groups.insert(0, Group(_("The case"), [case_item]))
        out_cases.append((c, groups))
    reads = [
        {
            "at": timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"),
            "case": a.case.reference,
            "who": a.user.display_name,
            "organisation": a.organisation.name if a.organisation else "",
            "kind": a.get_kind_display(),
        }
        for a in CaseAccess.objects.filter(case__in=cases)
        .select_related("user", "organisation", "case")
        .order_by("at", "pk")
    ]
    history.sort(key=lambda h: h["at"])
    return SubjectAccess(
        person=person_item,
        cases=out_cases,
        history=history,
        reads=reads,
        withheld_notes=sorted(set(notes)),
        produced_by=user,
        produced_at=timezone.now(),
        partial_scope=len(cases) < len(all_cases),
    )


_CHANGE = {"+": "created", "~": "changed", "-": "deleted"}


def _history_line(model: type[models.Model], row: Any) -> dict[str, Any]:
    who = row.history_user
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    return {
        "at": timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M"),
        "record": str(model._meta.verbose_name).capitalize(),
        "change": str(kinds.get(row.history_type, row.history_type)),
        "who": who.display_name if who else _("the system"),
        "organisation": who.organisation.name if who and who.organisation else "",
    }


def subject_access_json(access: SubjectAccess) -> dict[str, Any]:
    def item(i: Item) -> dict[str, Any]:
        return {
            "record": i.title,
            "fields": dict(i.fields),
            "withheld": [{"field": label, "note": note} for label, note in i.withheld],
        }

    return {
        "produced_at": access.produced_at.isoformat(),
        "produced_by": access.produced_by.display_name,
        "person": item(access.person),
        "cases": [
            {
                "reference": c.reference,
                "organisation": c.organisation.name,
                "records": [{"group": g.title, "items": [item(i) for i in g.items]} for g in groups],
            }
            for c, groups in access.cases
        ],
        "history": access.history,
        "read_log": access.reads,
        "withheld": access.withheld_notes,
        "other_cases_not_included": access.partial_scope,
    }


# --- the record of processing -----------------------------------------------------------------


def _verbose_name(model: type[models.Model], name: str) -> str:
    f = model._meta.get_field(name)
    return str(f.verbose_name) if isinstance(f, models.Field) else name


def processing_record() -> dict[str, Any]:
    kinds = []
    for entry in entries():
        if not entry.is_personal:
            continue
        kinds.append(
            {
                "label": str(entry.model._meta.verbose_name_plural).capitalize(),
                "app": entry.model._meta.app_config.verbose_name,
                "fields": [_verbose_name(entry.model, name) for name in entry.fields],
                "withheld": [_verbose_name(entry.model, name) for name in entry.withhold],
            }
        )
    counts = dict(Anonymisation.objects.values_list("rule").annotate(n=Count("pk")).order_by())
    return {
        "kinds": kinds,
        "retention": settings.PRIVACY_RETENTION,
        "k": settings.PRIVACY_EXPORT_K,
        "anonymised": [(label, counts.get(rule, 0)) for rule, label in RetentionRule.choices],
        "holds_active": LegalHold.objects.filter(lifted_at__isnull=True).count(),
        "erasures": dict(ErasureRequest.objects.values_list("status").annotate(n=Count("pk")).order_by()),
    }
