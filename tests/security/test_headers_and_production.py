"""Security headers on every page, and what production settings add (HSTS, secure cookies, check --deploy)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-for-the-test-only-4f9c2b7e1d8a6035e9b1c7d2",
    "DJANGO_ALLOWED_HOSTS": "nrm.example.lv",
    # The documents' key-encryption key (docs/documents.md); production refuses to start without it.
    "DOCUMENTS_KEYS": "k1:dGVzdC1vbmx5LWtleS1mb3ItcHJvZHVjdGlvbi0zMmI=",
}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OTP_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def _production_settings(**extra) -> dict:
    code = (
        "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'trafficking_cms.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD',"
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY',"
        "'SECURE_PROXY_SSL_HEADER', 'OTP_REQUIRED', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'DEBUG']}))"
    )
    result = _run(code, **{**PRODUCTION_ENV, **extra})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_login_page_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_page_of_a_logged_in_user_carries_the_policy(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)
    for url in (reverse("dashboard"), reverse("cases:list"), case_of_caseworker.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert 'style="' not in response.content.decode()


def test_production_settings_turn_on_https_and_two_factor():
    values = _production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["OTP_REQUIRED"] is True and values["DEBUG"] is False
    # The switch the demo uses, and the demo default.
    assert _production_settings(DJANGO_OTP_REQUIRED="0")["OTP_REQUIRED"] is False
    demo = _run(
        "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'trafficking_cms.settings'); django.setup();"
        "from django.conf import settings as s; print(json.dumps(s.OTP_REQUIRED))"
    )
    assert demo.stdout.strip().splitlines()[-1] == "false"


def test_production_refuses_the_demo_secret_key():
    result = _run(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'trafficking_cms.settings'); django.setup()",
        DJANGO_PRODUCTION="1",
    )
    assert result.returncode != 0 and "Set DJANGO_SECRET_KEY in production." in result.stderr


def test_check_deploy_reports_nothing_on_security():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OTP_"))}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    full = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert full.returncode == 0, full.stdout + full.stderr
    assert "security.W" not in full.stdout + full.stderr and "axes.W" not in full.stdout + full.stderr


def test_with_production_values_hsts_and_secure_httponly_session_cookie(settings, caseworker):
    values = _production_settings()
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ):
        setattr(settings, name, values[name])
    settings.SECURE_PROXY_SSL_HEADER = tuple(values["SECURE_PROXY_SSL_HEADER"])
    client = Client()
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    page = client.get(reverse("login"), secure=True)
    assert (
        page["Strict-Transport-Security"]
        == f"max-age={values['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
    )
    assert page.cookies["csrftoken"]["secure"] and page.cookies["csrftoken"]["httponly"]
    response = client.post(
        reverse("login"), {"username": "caseworker", "password": DEFAULT_PASSWORD}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
