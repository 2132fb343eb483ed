"""Malformed input on the coordinator's pages: never a 500, a clear 400 or a form error instead."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from monitoring.models import SummaryExport

pytestmark = pytest.mark.django_db

FUZZ = hsettings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
nasty_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "2026-02-30",
            "0001-01-01",
            "9999-12-31",
            "2026-13-01",
            "1e309",
            "-1",
            "'; DROP TABLE cases_case; --",
            "<img src=file:///etc/hostname>",
            "../../etc/passwd",
            "\u202e",
        ]
    ),
)


def test_period_and_csv_take_anything(client, national, case_of_caseworker):
    client.force_login(national)

    @FUZZ
    @given(start=nasty_text, end=nasty_text)
    def run(start, end):
        page = client.get(reverse("monitoring:index"), {"from": start, "to": end})
        assert page.status_code in (200, 400)
        export = client.get(reverse("monitoring:export_csv"), {"from": start, "to": end})
        assert export.status_code in (200, 400)

    run()


def test_bulk_export_filter_takes_anything(client, coordinator, case_of_caseworker):
    client.force_login(coordinator)

    @FUZZ
    @given(q=nasty_text, stage=nasty_text, status=nasty_text)
    def run(q, stage, status):
        response = client.post(reverse("monitoring:exports"), {"q": q, "stage": stage, "status": status})
        assert response.status_code in (302, 400)

    run()
    # Whatever was accepted selected at least one case, within the coordinator's NGO.
    assert all(e.total >= 1 and e.requested_by == coordinator for e in SummaryExport.objects.all())


def test_audit_filter_takes_anything(client, national, case_of_caseworker):
    client.force_login(national)

    @FUZZ
    @given(kind=nasty_text)
    def run(kind):
        assert (
            client.get(
                reverse("monitoring:case_audit", args=[case_of_caseworker.reference]), {"kind": kind}
            ).status_code
            == 200
        )

    run()
