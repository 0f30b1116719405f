"""Reads of the engine's records."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from workflow.models import TransitionRecord


def history(*, subject: models.Model) -> QuerySet[TransitionRecord]:
    """The timeline of one case (a lead, an application …), oldest first, with who acted."""
    return TransitionRecord.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
