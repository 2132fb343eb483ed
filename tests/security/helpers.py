"""Shared helpers for the security tests: real TOTP codes from a device's key, and a page's forms as a browser would submit them."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The 6-digit code an authenticator app shows for this device now (or a step away)."""
    return f"{totp(device.bin_key, device.step, device.t0 + offset_steps * device.step * -1, device.digits, device.drift):06d}"


def code_for_key(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def password_login(client, username: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def enrol_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@dataclass
class HtmlForm:
    method: str
    action: str
    values: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    """The forms of a page and what a browser would submit from each, untouched."""

    def __init__(self):
        super().__init__()
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = HtmlForm(method=(a.get("method") or "get").lower(), action=a.get("action") or "")
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            form.names.add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form.values.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                form.values.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form.values.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.values.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


# --- the sweeps ----------------------------------------------------------------------------------
#
# The sweeps (every URL, every form, every field, every role) assert that nothing answers 500,
# leaks or changes; they are not what shows a line of code works, so they are left out of the
# coverage measurement (`no_cover`), which also spares them the tracer's cost. Their roles go a
# few to a parallel group: each group loads its module's demo once on its worker
# (conftest.module_demo), and the groups spread over the workers (docs/architecture.md, "Tests").
SWEEP_MARKS = [pytest.mark.django_db, pytest.mark.no_cover]
# The API's routes (JSON only, REST_FRAMEWORK's renderers): no Django form, every HTTP method.
API_PREFIX = "/api/"
# The sweeps that read only status and body (conftest.no_template_capture).
LEAN_SWEEP_MARKS = [*SWEEP_MARKS, pytest.mark.usefixtures("no_template_capture")]


def sweep_roles(roles: list[str], group: str, per_group: int = 3) -> list:
    """`roles` for parametrize, `per_group` of them to an xdist group."""
    return [
        pytest.param(role, marks=pytest.mark.xdist_group(f"{group}-{i // per_group}"))
        for i, role in enumerate(roles)
    ]
