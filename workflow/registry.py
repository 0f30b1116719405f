"""Hooks by which higher layers plug into the engine without the engine importing them.

cases/ (and the engine, for its ladder clocks) registers what a clock of its kind does when a
warning or the deadline comes due, and notifications/ subscribes to turn events into inbox rows;
both are called inside the transaction of their cause, so a rollback undoes them too.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    """Something that happened to a case, and whom to tell (the engine resolved the audiences).

    `kind` names the notification's text (none: nobody is told), `refs` the case the
    notification points at, `params` the text's values and `key` the cause, so that a cause
    handled again tells nobody twice.
    """

    name: str
    subject_id: int
    at: datetime
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    recipients: frozenset[int] = frozenset()
    refs: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    fresh: bool = False  # the key was made in this transaction (a new history row's): nobody holds it yet


ClockHandler = Callable[[list[ClockEvent], datetime], None]
SubjectLocker = Callable[[list[int]], set[int]]
EventSubscriber = Callable[[list[Event]], None]
DueJob = Callable[[datetime], int]

_clock_handlers: dict[str, tuple[ClockHandler, SubjectLocker]] = {}
_subscribers: list[EventSubscriber] = []
_due_jobs: dict[str, DueJob] = {}


def register_clock_handler(kind: str, handler: ClockHandler, lock_subjects: SubjectLocker) -> None:
    """`handler(events, now)` handles claimed events of this kind (a chunk of them at once, or one).
    `lock_subjects(ids)` row-locks the clocks' subjects and returns those it got (busy ones are left).

    The sweep locks the subjects before the clocks because transitions lock the case before its
    clock; taking the two locks in one order everywhere is what keeps them from deadlocking.
    """
    _clock_handlers[kind] = (handler, lock_subjects)


def clock_handler(kind: str) -> tuple[ClockHandler, SubjectLocker]:
    return _clock_handlers[kind]


def subscribe(subscriber: EventSubscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(event: Event) -> None:
    """Hand an event to every subscriber, synchronously, inside the caller's transaction."""
    publish_many([event])


def publish_many(events: list[Event]) -> None:
    """Hand events to every subscriber at once (a due-work chunk's escalations), in order."""
    if events:
        for subscriber in _subscribers:
            subscriber(events)


def register_due_job(name: str, job: DueJob) -> None:
    """A job that process_due runs after the clocks; it returns how many items it handled."""
    _due_jobs[name] = job


def due_jobs() -> dict[str, DueJob]:
    return dict(_due_jobs)


_sweeping: ContextVar[bool] = ContextVar("sweeping", default=False)


@contextmanager
def sweep() -> Iterator[None]:
    """process_due's clock phase: work that can wait for the run's due jobs (sending what the
    clocks' handlers wrote to the outbox) is left to them, so claims are not held up by sends."""
    token = _sweeping.set(True)
    try:
        yield
    finally:
        _sweeping.reset(token)


def sweeping() -> bool:
    return _sweeping.get()
