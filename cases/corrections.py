"""Correcting and voiding what the stages recorded, in one mechanism (docs/decisions.md,
"Corrections and voids").

Every entry a stage records (court-support hours, a consultation, assistance, an employment
measure ...) is a `cases.models.Correctable`. Its app registers the kind here, in its
AppConfig.ready(): its own scoped selector, its own permission check, its own form and serializer,
and its own two services, `<entity>_correct` and `<entity>_void`, which lock what a new entry
locks, re-check the rules and call `apply_correction` / `apply_void` below. The ground floor thus
owns the shape (the fields, the log, the timeline, the pages and the API routes) and imports no
stage app; each stage keeps its rules and its permissions.

Pages: `<app>/entries/<kind>/<pk>/correct/` and `.../void/`. API: `/api/v1/entries/<kind>/<pk>/
correct/` and `.../void/`, one route per kind so that each is in the OpenAPI schema with its own
request body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Case, Correctable, EntryCorrection, User

# Error messages: module constants the tests reuse.
REASON_NEEDED = _("Give the reason for the correction (what was wrong).")
VOID_REASON_NEEDED = _("Give the reason for voiding this entry (e.g. logged on the wrong case).")
ALREADY_VOIDED = _("This entry was voided on %(date)s; a voided entry cannot be changed. Record a new one.")
NOTHING_CHANGED = _("Nothing was changed; change a value, or cancel.")

REASON_MAX = 2000


@dataclass(frozen=True)
class CorrectableKind:
    """One kind of correctable entry, as its app registers it."""

    slug: str  # in the URL: "court-support"
    model: type
    namespace: str  # the app's URL namespace, where its correct/void pages are
    # A scoped read: the entry, or Http404 when the user may not see it.
    get_for_user_or_404: Callable[..., Any]
    # Whether the user may write this entry (the app's permissions; a 403 otherwise).
    can_write: Callable[[User, Any], bool]
    case_of: Callable[[Any], Case]
    form_class: type[forms.Form]
    # The entry's current values as the form's (and the service's) keyword arguments.
    initial: Callable[[Any], dict]
    correct: Callable[..., Any]  # service(entry=, actor=, reason=, **values)
    void: Callable[..., Any]  # service(entry=, actor=, reason=)
    serializer_class: type
    # Where the user returns after a correction: done_url(entry, user).
    done_url: Callable[[Any, User], str]
    form_kwargs: Callable[[Any], dict] = field(default=lambda entry: {})
    # The API's validated data as the service's keyword arguments (a different name or an id).
    from_api: Callable[[Any, dict], dict] = field(default=lambda entry, data: data)

    @property
    def label(self) -> str:
        return capfirst(str(self.model._meta.verbose_name))

    @property
    def url_name(self) -> str:
        return self.slug.replace("-", "_")


_kinds: dict[str, CorrectableKind] = {}


def register_correctable(kind: CorrectableKind) -> None:
    _kinds[kind.slug] = kind


def kinds() -> list[CorrectableKind]:
    return [_kinds[slug] for slug in sorted(_kinds)]


def kind_for(slug: str) -> CorrectableKind:
    return _kinds[slug]


def kind_of_model(model) -> CorrectableKind | None:
    return next((k for k in _kinds.values() if k.model is model), None)


# --- the write, shared by every app's <entity>_correct / <entity>_void ---------------------------


def clean_reason(reason: str, *, message=REASON_NEEDED) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}}
        )
    return reason


def require_not_voided(entry: Any) -> None:
    if entry.voided_at is not None:
        raise ValidationError(ALREADY_VOIDED % {"date": timezone.localdate(entry.voided_at).isoformat()})


def _log(*, entry: Any, case: Case, action: str, fields: list[str], reason: str, actor: User) -> None:
    from .services import history_stamp

    kind = kind_of_model(type(entry))
    log = EntryCorrection(
        case=case,
        kind=kind.slug if kind else entry._meta.label_lower,
        object_id=entry.pk,
        action=action,
        fields=fields,
        reason=reason,
        actor=actor,
    )
    history_stamp(log, actor=actor, reason=reason)
    log.save()


def apply_correction[E: Correctable](
    *, entry: E, case: Case, values: dict[str, Any], actor: User, reason: str
) -> E:
    """Write the new values of an entry the caller has locked and checked; the entry's history
    keeps the old and the new version with the actor and the reason. Call inside the app's
    transaction, after its own rules passed."""
    from .services import history_stamp

    reason = clean_reason(reason)
    require_not_voided(entry)
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    if not changed:
        raise ValidationError(NOTHING_CHANGED)
    for name in changed:
        setattr(entry, name, values[name])
    entry.corrected_at = timezone.now()
    history_stamp(entry, actor=actor, reason=reason)
    entry.save()
    _log(
        entry=entry,
        case=case,
        action=EntryCorrection.Action.CORRECTED,
        fields=changed,
        reason=reason,
        actor=actor,
    )
    return entry


def apply_void[E: Correctable](*, entry: E, case: Case, actor: User, reason: str) -> E:
    """Void an entry the caller has locked: it stays, with its history, and counts no more."""
    from .services import history_stamp

    reason = clean_reason(reason, message=VOID_REASON_NEEDED)
    require_not_voided(entry)
    entry.voided_at = timezone.now()
    entry.voided_by = actor
    entry.void_reason = reason
    history_stamp(entry, actor=actor, reason=reason)
    entry.save(update_fields=["voided_at", "voided_by", "void_reason"])
    _log(entry=entry, case=case, action=EntryCorrection.Action.VOIDED, fields=[], reason=reason, actor=actor)
    return entry


# --- pages ----------------------------------------------------------------------------------------


class ReasonMixin(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history and shown on the case timeline."),
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The entry stays in the history, marked void; it no longer counts toward any limit."),
    )


_correction_forms: dict[str, type[forms.Form]] = {}


def correction_form_class(kind: CorrectableKind) -> type[forms.Form]:
    """The entry's own form with the reason added, built once per kind."""
    if kind.slug not in _correction_forms:
        _correction_forms[kind.slug] = type(
            f"{kind.form_class.__name__}Correction", (kind.form_class, ReasonMixin), {}
        )
    return _correction_forms[kind.slug]


def _entry_for_writer(request, kind: CorrectableKind, pk: int):
    entry = kind.get_for_user_or_404(user=request.user, pk=pk)
    if not kind.can_write(request.user, entry):
        raise PermissionDenied
    return entry


def entry_correct_view(request, pk: int, *, kind: str):
    from django.contrib.auth.views import redirect_to_login

    from .pages import form_page

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    k = kind_for(kind)
    entry = _entry_for_writer(request, k, pk)
    form_class = correction_form_class(k)
    form = form_class(request.POST or None, initial=k.initial(entry), **k.form_kwargs(entry))

    def save():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        return k.correct(entry=entry, actor=request.user, reason=reason, **data)

    return form_page(
        request,
        form=form,
        save=save,
        template="cases/entry_correct.html",
        context={
            "entry": entry,
            "kind": k,
            "title": _("Correct: %(kind)s") % {"kind": k.label},
            "done_url": k.done_url(entry, request.user),
        },
        success=_("The entry was corrected; the history keeps the earlier version."),
        done_url=k.done_url(entry, request.user),
    )


def entry_void_view(request, pk: int, *, kind: str):
    from django.contrib.auth.views import redirect_to_login

    from .pages import form_page

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    k = kind_for(kind)
    entry = _entry_for_writer(request, k, pk)
    form = VoidForm(request.POST or None)
    return form_page(
        request,
        form=form,
        save=lambda: k.void(entry=entry, actor=request.user, reason=form.cleaned_data["reason"]),
        template="cases/entry_void.html",
        context={
            "entry": entry,
            "kind": k,
            "title": _("Void: %(kind)s") % {"kind": k.label},
            "done_url": k.done_url(entry, request.user),
        },
        success=_("The entry was voided; it no longer counts toward its limit."),
        done_url=k.done_url(entry, request.user),
    )


def entry_urls(*slugs: str) -> list:
    """The correct and void pages of the named kinds, for the app's urls.py."""
    patterns = []
    for slug in slugs:
        name = slug.replace("-", "_")
        patterns += [
            path(
                f"entries/{slug}/<int:pk>/correct/",
                entry_correct_view,
                {"kind": slug},
                name=f"{name}_correct",
            ),
            path(f"entries/{slug}/<int:pk>/void/", entry_void_view, {"kind": slug}, name=f"{name}_void"),
        ]
    return patterns


# --- the person's details ------------------------------------------------------------------------

# A stage app's rule that relies on the person's details (a residence permit on a third-country
# national, family consultations on a minor): check(person=<with the new values>, before=<as
# stored>) raises a ValidationError naming the field and what relies on it, or returns.
_person_checks: list[Callable[..., None]] = []


def register_person_check(check: Callable[..., None]) -> None:
    if check not in _person_checks:
        _person_checks.append(check)


def person_checks() -> list[Callable[..., None]]:
    return list(_person_checks)
