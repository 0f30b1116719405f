"""Row-locking helpers, in one place (house rule 7)."""

from django.db import connection, models


def skip_locked(qs: models.QuerySet) -> models.QuerySet:
    """`SELECT … FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL). On SQLite every
    write transaction already holds the database's one write lock (BEGIN IMMEDIATE)."""
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True)
    return qs


def lock_free(model: type[models.Model], pks: list[int]) -> set[int]:
    """Lock these rows for this transaction; returns the ids it got (not missing, not held elsewhere)."""
    # `_default_manager`, as Django advises for code that takes any model: the case types' `objects`
    rows = model._default_manager.filter(pk__in=pks).order_by("pk")
    return set(skip_locked(rows).values_list("pk", flat=True))
