"""Reads of the engine's records."""

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from workflow.models import TransitionRecord


def history(*, subject: models.Model, also: Sequence[Any] = ()) -> QuerySet[TransitionRecord]:
    """The timeline of one case (a lead, an application …), oldest first, with who acted; `also`:
    the ids of cases of the same type whose timelines it keeps (duplicates merged into it)."""
    which = models.Q(subject_id=subject.pk)
    if isinstance(also, models.QuerySet) or also:
        which |= models.Q(subject_id__in=also)  # a queryset stays a subquery: still one query
    return TransitionRecord.objects.filter(
        which, subject_type=ContentType.objects.get_for_model(subject)
    ).select_related("actor")


def histories(*, subjects: Sequence[models.Model]) -> dict[Any, list[TransitionRecord]]:
    """The timelines of many cases of one type (a page of a list) in one query: each case's pk → its
    records, oldest first, with who acted — for each case the same rows as `history`."""
    if not subjects:
        return {}
    timelines: dict[Any, list[TransitionRecord]] = {s.pk: [] for s in subjects}
    records = TransitionRecord.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]), subject_id__in=list(timelines)
    ).select_related("actor")
    for record in records:  # the model's order (at, id): oldest first within each case
        timelines[record.subject_id].append(record)
    return timelines
