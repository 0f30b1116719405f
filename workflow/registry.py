"""Hooks by which higher layers plug into the engine without the engine importing them.

cases/ registers what a clock of its kind does when a warning or the deadline comes due, and
notifications/ registers how events become inbox rows; both are called inside the transaction
of their cause, so a rollback undoes them too.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ClockEvent:
    """A clock event being handled: a warning (`days` before the deadline) or the deadline itself."""

    clock_id: int
    kind: str
    subject_id: int
    deadline_at: datetime
    warning_days: int | None  # None: the deadline

    @property
    def is_deadline(self) -> bool:
        return self.warning_days is None


@dataclass(frozen=True)
class Event:
    """Something that happened to a case, for whoever must be told."""

    name: str
    subject_id: int
    at: datetime
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


ClockHandler = Callable[[ClockEvent, datetime], None]
SubjectLocker = Callable[[int], bool]
EventSubscriber = Callable[[Event], None]
DueJob = Callable[[datetime], int]

_clock_handlers: dict[str, tuple[ClockHandler, SubjectLocker]] = {}
_subscribers: list[EventSubscriber] = []
_due_jobs: dict[str, DueJob] = {}


def register_clock_handler(kind: str, handler: ClockHandler, lock_subject: SubjectLocker) -> None:
    """`lock_subject(subject_id)` row-locks the clock's subject and returns False if it is busy.

    The sweep locks the subject before the clock because transitions lock the case before its
    clock; taking the two locks in one order everywhere is what keeps them from deadlocking.
    """
    _clock_handlers[kind] = (handler, lock_subject)


def clock_handler(kind: str) -> tuple[ClockHandler, SubjectLocker]:
    return _clock_handlers[kind]


def subscribe(subscriber: EventSubscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(event: Event) -> None:
    """Hand an event to every subscriber, synchronously, inside the caller's transaction."""
    for subscriber in _subscribers:
        subscriber(event)


def register_due_job(name: str, job: DueJob) -> None:
    """A job that process_due runs after the clocks; it returns how many items it handled."""
    _due_jobs[name] = job


def due_jobs() -> dict[str, DueJob]:
    return dict(_due_jobs)
