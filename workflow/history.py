"""A tamper-evident history (DESIGN §11): each history row of a case carries a hash over its own content
and the previous row's hash, so editing, deleting or inserting a row behind the application's back breaks
the chain at that row, and `manage.py verify_history` finds it.

The chain of a case is its rows in insertion order (id). Transitions lock the case before they append, so
two appends to one case never race for the same predecessor.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Max

from workflow.models import TransitionRecord


def content_hash(record: TransitionRecord, prev_hash: str) -> str:
    """sha256 of the row's content (everything but its id and its own hash) and its predecessor's hash."""
    at: datetime = record.at
    content = {
        "subject_type": record.subject_type_id,
        "subject_id": int(record.subject_id),
        "transition": record.transition,
        "source": record.source,
        "target": record.target,
        "actor": record.actor_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "params": record.params,
        "rule": record.rule,
        "prev": prev_hash,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# The newest history hash of a case, when the engine read it with the case's locked row.
LAST_HASH = "engine_last_hash"


def chain(records: list[TransitionRecord], known: dict[tuple[int, int], str] | None = None) -> None:
    """Give new rows (not saved yet) their place in their cases' chains: each row's `prev_hash` is
    the last saved row's hash of its case (or the row before it in `records`), then its own `hash`.
    `known`: cases whose newest hash was read under their lock already ("" for none)."""
    last: dict[tuple[int, int], str] = dict(known or {})
    subjects = {(r.subject_type_id, r.subject_id) for r in records} - last.keys()
    by_type: dict[int, set[int]] = {}
    for type_id, subject_id in subjects:
        by_type.setdefault(type_id, set()).add(subject_id)
    for type_id, ids in by_type.items():
        newest = (
            TransitionRecord.objects.filter(subject_type_id=type_id, subject_id__in=ids)
            .values("subject_id")
            .annotate(last=Max("id"))
            .values("last")
        )
        for subject_id, hash_ in TransitionRecord.objects.filter(pk__in=newest).values_list(
            "subject_id", "hash"
        ):
            last[(type_id, subject_id)] = hash_
    for record in records:
        key = (record.subject_type_id, record.subject_id)
        record.prev_hash = last.get(key, "")
        record.hash = content_hash(record, record.prev_hash)
        last[key] = record.hash


@dataclass(frozen=True)
class Break:
    """The first row of a case's chain that does not hold."""

    subject_type: str
    subject_id: int
    record_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.subject_type} #{self.subject_id}: history row {self.record_id} {self.reason}"


def verify(rows: Iterable[TransitionRecord] | None = None) -> Iterator[Break]:
    """Walk every case's chain (or these rows, ordered by case then id) and yield the first break of each."""
    if rows is None:
        rows = (
            TransitionRecord.objects.select_related("subject_type")
            .order_by("subject_type_id", "subject_id", "id")
            .iterator(chunk_size=2000)
        )
    current: tuple[int, int] | None = None
    prev, broken = "", False
    for row in rows:
        key = (row.subject_type_id, int(row.subject_id))
        if key != current:
            current, prev, broken = key, "", False
        if broken:
            continue
        reason = _check(row, prev)
        if reason:
            broken = True
            yield Break(str(row.subject_type.model), key[1], row.pk, reason)
        prev = row.hash


def _check(row: TransitionRecord, prev: str) -> str:
    if row.prev_hash != prev:
        return "does not follow the row before it (a row was removed, inserted or reordered)"
    if row.hash != content_hash(row, prev):
        return "was changed after it was written"
    return ""
