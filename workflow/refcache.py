"""Per-process memories of rows that change rarely and are read by every transition: who is a member
of which unit, people's addresses and e-mail preferences, webhooks, the policy versions, the statutory
calendar. Without them a person's transition spent five of its statements re-reading them.

Correct across processes: every change to such a row, in any process, gives the one `Generation` row
a new random token in the same transaction (`bump`, connected to the models' signals by the apps
that own them; code that writes them in bulk calls it itself). A reader checks the token inside its
own transaction before it trusts a memory — the engine reads it with the case it locks, so the check
costs no statement — and memories are kept per token, so a value loaded under one token is never
served under another. What a reader sees is therefore never older than what its own transaction
would have read from the tables.

    with refcache.verified(token):          # the engine, for one transition
        members = refcache.get("members", load_members)
"""

import contextvars
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db.models import Model, Subquery
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_verified: contextvars.ContextVar[str | None] = contextvars.ContextVar("refcache_verified", default=None)
_memories: dict[str, dict[str, tuple[float, Any]]] = {}  # token → name → (loaded at, value); newest few
_lock = threading.Lock()
KEEP = 4
# A memory is read again after this long even if its token stands: a change saved outside a
# transaction commits its row and its new token separately, and a crash between the two would leave
# the token unchanged; this bounds how long that could last.
MAX_AGE = 600.0


def bump(**kwargs: Any) -> None:
    """A remembered row changed: every process must read such rows again (in the caller's
    transaction, so a rollback takes the new token back with the change). A signal receiver."""
    from workflow.models import Generation

    token = uuid.uuid4().hex
    if not Generation.objects.filter(pk=1).update(token=token):
        Generation.objects.update_or_create(pk=1, defaults={"token": token})
    if _verified.get() is not None:
        # the rest of this block reads the token anew at each use: a savepoint rolled back after this
        # change takes the new token back with it, and memories of it must not be served then
        _verified.set(None)


def token_expression() -> Subquery:
    """The current token, as a subquery to read with another statement."""
    from workflow.models import Generation

    return Subquery(Generation.objects.filter(pk=1).values("token")[:1])


def current_token() -> str | None:
    from workflow.models import Generation

    return Generation.objects.filter(pk=1).values_list("token", flat=True).first()


@contextmanager
def verified(token: str | None = None) -> Iterator[None]:
    """Within this block memories of `token` (read in the caller's transaction; None: read it now)
    are trusted. Without a token row (a flushed test database) nothing is remembered."""
    if token is None:
        token = current_token()
    reset = _verified.set(token or "")
    try:
        yield
    finally:
        _verified.reset(reset)


def get(name: str, load: Callable[[], T]) -> T:
    """The memory `name` under the verified token, loading it the first time. Outside `verified`
    the token is read first (one query), so a caller is never served a stale memory."""
    token = _verified.get()
    if token is None:
        with verified():
            return get(name, load)
    if not token:
        return load()
    now = time.monotonic()
    with _lock:
        memory = _memories.get(token)
        if memory is not None and name in memory and now - memory[name][0] < MAX_AGE:
            return memory[name][1]
    value = load()
    with _lock:
        memory = _memories.setdefault(token, {})
        memory[name] = (now, value)
        while len(_memories) > KEEP:
            _memories.pop(next(iter(_memories)))
        return value


def watch(model: type[Model], unless_only: set[str] | None = None) -> None:
    """New token whenever a row of `model` is saved or deleted (signals: code that writes the model
    in bulk calls `bump` itself). A save whose `update_fields` are all in `unless_only` is ignored."""

    def saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if unless_only and update_fields and set(update_fields) <= unless_only:
            return
        bump()

    label = model._meta.label_lower
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"refcache.saved.{label}")
    post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"refcache.deleted.{label}")


def forget(**kwargs: Any) -> None:
    """Drop every memory (tests start clean; a signal receiver)."""
    with _lock:
        _memories.clear()
