"""The event_log archive: every produced record in order, so an empty broker can be refilled from it.

A record the broker can never take (too large, refused as invalid) is quarantined: it stays in the
event_log with its reason, is never sent, relayed or refilled, and `armswatch quarantine` lists it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.store.db import Database
from services.store.models import EventLog


@dataclass(frozen=True)
class Archived:
    """One archived record."""

    seq: int
    topic: str
    key: bytes | None
    value: bytes | None


def append(db: Database, topic: str, record_id: str, key: bytes | None, value: bytes | None) -> int | None:
    """Archive a record; return its sequence number, or None when (topic, record_id) is archived already."""
    try:
        with db.session() as session:
            row = EventLog(
                topic=topic,
                record_id=record_id,
                key=key,
                value=value,
                published=False,
                created_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            return row.seq
    except IntegrityError:
        return None


def append_many(
    db: Database, rows: Sequence[tuple[str, str, bytes | None, bytes | None]]
) -> list[int | None]:
    """Archive (topic, record_id, key, value) rows in one transaction; None for each one archived already."""
    if not rows:
        return []
    try:
        with db.session() as session:
            wanted = {(topic, rid) for topic, rid, _, _ in rows}
            known = {
                (t, r)
                for t, r in session.execute(
                    select(EventLog.topic, EventLog.record_id).where(
                        EventLog.record_id.in_(sorted({rid for _, rid in wanted}))
                    )
                )
            }
            now = datetime.now(UTC)
            seqs: list[int | None] = []
            for topic, rid, key, value in rows:
                if (topic, rid) in known:
                    seqs.append(None)
                    continue
                known.add((topic, rid))
                row = EventLog(
                    topic=topic, record_id=rid, key=key, value=value, published=False, created_at=now
                )
                session.add(row)
                session.flush()
                seqs.append(row.seq)
            return seqs
    except IntegrityError:  # another process archived one of them meanwhile: go one by one
        return [append(db, topic, rid, key, value) for topic, rid, key, value in rows]


def mark_published(db: Database, seqs: list[int]) -> None:
    """Record that these archived records reached the broker."""
    if seqs:
        with db.session() as session:
            session.execute(update(EventLog).where(EventLog.seq.in_(seqs)).values(published=True))


def quarantine(db: Database, reasons: dict[int, str]) -> None:
    """Quarantine archived records by sequence number, each with its reason."""
    if reasons:
        with db.session() as session:
            for seq, reason in reasons.items():
                session.execute(update(EventLog).where(EventLog.seq == seq).values(quarantine=reason[:1000]))


def put_quarantined(
    db: Database, topic: str, record_id: str, key: bytes | None, value: bytes | None, reason: str
) -> bool:
    """Keep a record that was never archived (the archive is off) in quarantine; False when it is there already."""
    seq = append(db, topic, record_id, key, value)
    if seq is None:
        return False
    quarantine(db, {seq: reason})
    return True


@dataclass(frozen=True)
class Quarantined:
    """One quarantined record, without its value."""

    seq: int
    topic: str
    record_id: str
    size: int
    reason: str
    created_at: datetime


def quarantined(db: Database, limit: int = 100) -> list[Quarantined]:
    """The newest quarantined records first."""
    with db.session() as session:
        rows = session.execute(
            select(
                EventLog.seq,
                EventLog.topic,
                EventLog.record_id,
                func.length(EventLog.value),
                EventLog.quarantine,
                EventLog.created_at,
            )
            .where(EventLog.quarantine.is_not(None))
            .order_by(EventLog.seq.desc())
            .limit(limit)
        ).all()
    return [Quarantined(seq, t, rid, int(size or 0), str(why), at) for seq, t, rid, size, why, at in rows]


def records(
    db: Database,
    topics: set[str] | None = None,
    *,
    unpublished_only: bool = False,
    min_age: float = 0.0,
    batch: int = 1000,
) -> Iterator[Archived]:
    """Archived records in production order, optionally only for some topics or only unpublished ones."""
    last = 0
    while True:
        with db.session() as session:
            query = select(EventLog.seq, EventLog.topic, EventLog.key, EventLog.value).where(
                EventLog.seq > last, EventLog.quarantine.is_(None)
            )
            if topics is not None:
                query = query.where(EventLog.topic.in_(sorted(topics)))
            if unpublished_only:
                query = query.where(EventLog.published.is_(False))
            if min_age > 0:
                query = query.where(EventLog.created_at < datetime.now(UTC) - timedelta(seconds=min_age))
            rows = session.execute(query.order_by(EventLog.seq).limit(batch)).all()
        if not rows:
            return
        for seq, topic, key, value in rows:
            yield Archived(seq, topic, key, value)
        last = rows[-1][0]


def batch_after(db: Database, topics: set[str], after: int, limit: int) -> list[Archived]:
    """Up to `limit` archived records of `topics` with a sequence number above `after`, in order."""
    with db.session() as session:
        rows = session.execute(
            select(EventLog.seq, EventLog.topic, EventLog.key, EventLog.value)
            .where(EventLog.seq > after, EventLog.topic.in_(sorted(topics)), EventLog.quarantine.is_(None))
            .order_by(EventLog.seq)
            .limit(limit)
        ).all()
    return [Archived(seq, topic, key, value) for seq, topic, key, value in rows]


def count(db: Database, topic: str | None = None) -> int:
    """How many records are archived (for one topic)."""
    with db.session() as session:
        query = select(func.count()).select_from(EventLog)
        if topic is not None:
            query = query.where(EventLog.topic == topic)
        return int(session.execute(query).scalar_one())
