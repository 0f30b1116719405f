"""Celery for the scale-out mode (REDIS_URL set): workers and beat run the same due-work function
as `process_due`; overlapping runs are safe, so beat may fire while a run is still going."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shoutan")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="shoutan.process_due", ignore_result=True)
def process_due_task() -> dict:
    from django.utils import timezone

    from workflow.due import process_due

    return process_due(now=timezone.now()).as_dict()


@app.on_after_configure.connect
def schedule(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(settings.DUE_WORK_INTERVAL, process_due_task.s(), name="process due work")
