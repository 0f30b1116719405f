import functools
from typing import cast

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts exactly up to COUNT_CAP rows, then stops counting.

    An exact COUNT(*) over a million visible leads costs more than the page itself (tens of
    milliseconds on PostgreSQL). Below the cap the count is exact; above it the count is the cap
    and `count_exact` is false, pages within the cap are served as usual, and asking for a page
    beyond the cap pays for the exact count (so every page stays reachable).
    """

    wanted = 1

    def __init__(self, object_list, per_page, *args, count_from=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(object_list, per_page, *args, **kwargs)
        # what to count: the page's rows may carry joins and an order that counting does not need; or
        # a function of the most rows to count (None: all) that counts them its own way
        self.count_from = object_list if count_from is None else count_from

    def validate_number(self, number):  # type: ignore[no-untyped-def]
        try:
            self.wanted = max(int(number), 1)
        except (TypeError, ValueError):
            pass
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:
        if self.wanted * self.per_page > COUNT_CAP:
            self.exact = True
            return self.counted(None)
        bounded = self.counted(COUNT_CAP + 1)  # SELECT COUNT(*) FROM (… LIMIT cap + 1)
        self.exact = bounded <= COUNT_CAP
        return bounded

    def counted(self, limit: int | None) -> int:
        if callable(self.count_from):
            return self.count_from(limit)
        return self.count_from.count() if limit is None else self.count_from[:limit].count()


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 1000), as `{count, count_exact, next, previous, results}`
    (DESIGN §8; `count_exact` is false when more than 1,000 rows match and `count` says 1,000)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        count_from = getattr(view, "count_queryset", None)  # a queryset, or a function (CappedPaginator)
        # a class is what DRF wants; a partial that makes one serves as well
        self.django_paginator_class = functools.partial(CappedPaginator, count_from=count_from)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):  # type: ignore[no-untyped-def]
        paginator = cast(CappedPaginator, self.page.paginator)  # type: ignore[union-attr] # after paginate_queryset
        return Response(
            {
                "count": paginator.count if paginator.exact else COUNT_CAP,
                "count_exact": paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        shape = super().get_paginated_response_schema(schema)
        shape["properties"]["count_exact"] = {"type": "boolean", "example": True}
        shape["required"] = [*shape.get("required", []), "count_exact"]
        return shape
