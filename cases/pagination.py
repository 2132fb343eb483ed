"""Bounded pagination for the big lists: never an exact COUNT(*) over hundreds of thousands of rows.

The count stops at LIST_COUNT_CAP: past it the page says "more than 10,000" and offers the pages
up to the cap (narrow the search to reach the others). See docs/performance.md.
"""

from __future__ import annotations

from django.core.paginator import Paginator
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
