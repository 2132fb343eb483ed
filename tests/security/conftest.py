"""Fixtures of the security tests."""

import pytest


@pytest.fixture
def no_template_capture(monkeypatch):
    """Django's test client copies every template's whole context on every render, so that a test
    can read `response.context`; a sweep of thousands of requests reads only status and body, and
    the copies were a large part of its time."""
    from django.test import client

    monkeypatch.setattr(client, "store_rendered_templates", lambda *args, **kwargs: None)
