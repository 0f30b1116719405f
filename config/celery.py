"""Celery for the scale-out mode (REDIS_URL set): workers and beat run the same due-work function
as `process_due`; overlapping runs are safe, so beat may fire while a run is still going. Workers
also run bulk imports, queued as their uploads commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shoutan")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _require_secret_key(sender: Celery, **kwargs: object) -> None:
    from config.settings import require_secret_key

    require_secret_key()  # a worker writes notifications and tokens' checks as a server does


@app.task(name="shoutan.process_due", ignore_result=True)
def process_due_task() -> dict:
    from django.utils import timezone

    from workflow.due import process_due

    return process_due(now=timezone.now()).as_dict()


@app.task(name="shoutan.import_process", ignore_result=True)
def import_process_task(job_id: int) -> int:
    """A bulk import, queued when its upload commits (cases.imports.services.IMPORT_TASK). The job's
    lease, not the broker, decides who runs it: a second delivery (acks are late) finds it claimed
    or finished and does nothing, and a job whose message is lost is taken by the due-work run."""
    from django.utils import timezone

    from cases.imports.services import import_process

    return import_process(job_id=job_id, now=timezone.now())


@app.on_after_configure.connect
def schedule(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(settings.DUE_WORK_INTERVAL, process_due_task.s(), name="process due work")


@app.task(name="shoutan.deliveries", ignore_result=True)
def deliveries_task() -> int:
    """The e-mails and webhooks a commit left waiting (notifications.outbox.kick). Any number may
    run at once: each claims its rows with a lock, so every row is sent by one of them."""
    from django.utils import timezone

    from notifications.outbox import deliveries_send

    return deliveries_send(now=timezone.now())
