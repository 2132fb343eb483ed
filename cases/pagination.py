"""Bounded pagination for the big lists: never an exact COUNT(*) over hundreds of thousands of rows.

The count stops at LIST_COUNT_CAP: past it the page says "more than 10,000" and offers the pages
up to the cap (narrow the search to reach the others). See docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpRequest
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

LIST_COUNT_CAP = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count reads at most LIST_COUNT_CAP + 1 rows."""

    cap = LIST_COUNT_CAP

    @cached_property
    def _bounded_count(self) -> int:
        object_list = self.object_list
        if hasattr(object_list, "order_by") and hasattr(object_list, "values"):
            # Only the primary keys, unordered, and no more than one past the cap.
            return object_list.order_by().values("pk")[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._bounded_count, self.cap)

    @property
    def count_is_capped(self) -> bool:
        """True when there are more rows than the count says."""
        return self._bounded_count > self.cap

    def page(self, number: int | str) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)


def page_rows(rows: Any, bottom: int, top: int) -> Any:
    """The rows of one page: the page's primary keys sorted and sliced on the listed table alone,
    then only those rows read with their joins (select_related) and prefetches. A caseworker's
    few hundred visible cases are sorted before the person and the organisation are joined to
    25 of them, not to all (docs/performance.md, "The case lists")."""
    if not isinstance(rows, QuerySet) or not _plain(rows):
        return rows[bottom:top]
    page_ids = rows.values("pk")[bottom:top]
    outer = rows.model._default_manager.filter(pk__in=page_ids).order_by(*rows.query.order_by)
    outer.query.select_related = rows.query.select_related
    return outer.prefetch_related(*rows._prefetch_related_lookups)


def _plain(rows: QuerySet[Any]) -> bool:
    """A queryset of model instances, explicitly ordered, with nothing the page's rows would lose
    by being read again by primary key (annotations, extra columns, deferred fields, DISTINCT)."""
    query = rows.query
    return (
        rows._iterable_class is ModelIterable
        and bool(query.order_by)
        and not query.annotations
        and not query.extra
        and not query.distinct
        and query.deferred_loading == (frozenset(), True)
        and not query.combinator
    )


class BoundedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination over BoundedPaginator: "count" stops at the cap and
    "count_is_capped" says when there are more."""

    django_paginator_class = BoundedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_capped": self.page.paginator.count_is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": f"True when more than {LIST_COUNT_CAP:,} rows match: count stops there.",
        }
        response["required"] = [*response.get("required", []), "count_is_capped"]
        return response


# --- a table within a page ----------------------------------------------------------------------

SECTION_PAGE_SIZE = 20


@dataclass(frozen=True)
class Window:
    """One page of a table inside a larger page (the case page's consultations, court support…):
    per_page + 1 rows read, so no COUNT, and the same number of queries whatever the table holds.
    Its links keep the other tables' pages (each table has its own parameter) and return to the
    table's heading."""

    rows: list[Any]
    number: int
    start: int
    previous_url: str
    next_url: str

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1

    @property
    def is_paged(self) -> bool:
        return bool(self.previous_url or self.next_url)


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    # Past the bounded count's pages nobody pages by hand; a larger number is the last of them.
    return min(max(number, 1), LIST_COUNT_CAP)


def window(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    param: str,
    anchor: str,
    per_page: int = SECTION_PAGE_SIZE,
) -> Window:
    number = _page_number(request.GET.get(param))
    offset = (number - 1) * per_page
    found = list(rows[offset : offset + per_page + 1])
    if not found and number > 1:
        # A page past the end (the rows were voided or the link is old): the first page.
        number, offset = 1, 0
        found = list(rows[: per_page + 1])

    def url(page: int) -> str:
        query = request.GET.copy()
        if page == 1:
            query.pop(param, None)
        else:
            query[param] = str(page)
        encoded = query.urlencode()
        return f"{request.path}{'?' + encoded if encoded else ''}#{anchor}"

    return Window(
        rows=found[:per_page],
        number=number,
        start=offset + 1,
        previous_url=url(number - 1) if number > 1 else "",
        next_url=url(number + 1) if len(found) > per_page else "",
    )
