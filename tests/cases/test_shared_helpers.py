"""The helpers every app shares: the API's exception handler, the OR of visibility branches and
the period arithmetic."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from cases import periods
from cases.drf import exception_handler
from cases.queries import any_of

D = datetime.date


def test_a_services_field_error_is_a_400_keyed_by_field():
    response = exception_handler(ValidationError({"hours": "Too many."}), {})
    assert response.status_code == 400
    assert response.data == {"hours": ["Too many."]}


def test_a_services_error_of_no_field_is_a_400_under_non_field_errors():
    response = exception_handler(ValidationError("Not now."), {})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Not now."]}
    keyed = exception_handler(ValidationError({"__all__": "Not now."}), {})
    assert keyed.data == {"non_field_errors": ["Not now."]}


def test_a_services_permission_denied_is_a_403_with_its_message():
    response = exception_handler(PermissionDenied("Only the author."), {})
    assert response.status_code == 403
    assert response.data == {"detail": "Only the author."}
    assert exception_handler(PermissionDenied(), {}).status_code == 403


def test_http404_is_a_404_and_other_errors_are_left_to_the_server():
    assert exception_handler(Http404("who"), {}).status_code == 404
    assert exception_handler(ValueError("bug"), {}) is None


def test_any_of_ors_the_branches_present():
    assert any_of() is None
    assert any_of(None, None) is None
    assert any_of(Q(a=1), None) == Q(a=1)
    assert any_of(Q(a=1), Q(b=2)) == Q(a=1) | Q(b=2)


def test_any_of_keeps_everything_when_one_branch_is_everything():
    # Django's Q() | Q(a=1) is Q(a=1): "everything" must not shrink to one branch.
    assert any_of(Q(a=1), Q()) == Q()
    assert any_of(Q(), None) == Q()


def test_periods_count_the_start_day_as_day_one():
    start = D(2026, 1, 1)
    assert periods.last_day(start, 30) == D(2026, 1, 30)
    assert periods.last_day(start, 1) == start
    with pytest.raises(ValueError):
        periods.last_day(start, 0)
    assert periods.day_number(start, D(2026, 1, 30)) == 30
    assert periods.day_number(start, D(2025, 12, 31)) == 0


def test_periods_remaining_days_and_the_end():
    last = D(2026, 1, 30)
    assert periods.days_remaining(last, D(2026, 1, 27)) == 3
    assert periods.days_remaining(last, last) == 0
    assert periods.days_remaining(last, D(2026, 2, 5)) == 0
    assert not periods.has_ended(last, last)
    assert periods.has_ended(last, D(2026, 1, 31))


def test_add_years_turns_29_february_into_28():
    assert periods.add_years(D(2024, 2, 29), 2) == D(2026, 2, 28)
    assert periods.add_years(D(2026, 3, 1), -2) == D(2024, 3, 1)
