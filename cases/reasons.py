"""Reasons stored as codes, read in the reader's language (docs/architecture.md).

A history row's reason (and a stage change's) is written once, by whoever acted, and read later by
people working in another language. So a reason is never stored as translated text:

- a fixed reason ("Referral accepted") is stored as its source text, which is its msgid;
- a reason with parameters ("Transferred from %(from)s to %(to)s") is stored as a small JSON
  document: the code and the parameters, each parameter either text as typed (an organisation's
  name, a coordinator's reason) or itself a code (an identification ground's label, an event);
- a reason a user typed is stored as typed.

`render_reason` turns any of them into the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An event with the reason a person gave for it: "Moved by a coordinator: the victim asked".
EVENT_WITH_REASON = _("%(event)s: %(reason)s")

_PREFIX = '{"code":'


def _source(text: StrOrPromise) -> str:
    with override(None):
        return str(text)


@dataclass(frozen=True)
class CodedReason:
    code: StrOrPromise
    params: dict[str, object]

    def encode(self) -> str:
        params: dict[str, object] = {}
        for name, value in self.params.items():
            if isinstance(value, CodedReason):
                params[name] = {"r": json.loads(value.encode())}
            elif isinstance(value, Promise):
                # A translatable value: stored as its code, translated when read.
                params[name] = {"t": _source(value)}
            else:
                params[name] = "" if value is None else str(value)
        return json.dumps({"code": _source(self.code), "params": params}, ensure_ascii=False)


def coded_reason(code: StrOrPromise, **params: object) -> CodedReason:
    """A translatable reason with parameters (lazy strings among them stay translatable)."""
    return CodedReason(code, params)


def _param(value: object) -> str:
    if isinstance(value, dict):
        if "t" in value:
            return gettext(str(value["t"])) if value["t"] else ""
        if "r" in value and isinstance(value["r"], dict):
            return _decoded(value["r"])
    return str(value)


def _decoded(document: dict) -> str:
    code = str(document.get("code", ""))
    params = document.get("params") or {}
    if not isinstance(params, dict):
        return gettext(code) if code else ""
    try:
        return gettext(code) % {name: _param(value) for name, value in params.items()}
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder: the source text is still right.
        return code % {name: _param(value) for name, value in params.items()}


def render_reason(stored: str | None) -> str:
    """A stored reason in the active language: a code, a coded reason with parameters, or text as
    typed (which matches no message and reads as typed)."""
    if not stored:
        return ""
    if stored.startswith(_PREFIX):
        try:
            document = json.loads(stored)
        except ValueError:
            return stored
        if isinstance(document, dict) and "code" in document:
            try:
                return _decoded(document)
            except (KeyError, TypeError, ValueError):
                return stored
    return gettext(stored)
