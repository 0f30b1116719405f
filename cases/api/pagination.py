from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 1000), as `{count, next, previous, results}` (DESIGN §8)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
