"""The poller's leases on feeds: claim the due ones in a batch, write many fetches' outcomes at once, poll now.

``claim_due`` picks and leases a batch of due feeds in one transaction (replicas on PostgreSQL skip the
rows another holds); ``record_fetches`` writes many feeds' outcomes in one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update

from services.store.db import Database
from services.store.feeds.catalog import FeedState, feed_state
from services.store.models import Feed


@dataclass(slots=True)
class Outcome:
    """One fetch's effect on its feed row, written with others by ``record_fetches``."""

    feed_id: int
    status: str
    ok: bool
    errors: int
    next_in: float
    current_interval_s: float | None
    etag: str | None = None
    last_modified: str | None = None
    new_url: str | None = None
    title: str | None = None
    items: int = 0
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


def claim_due(db: Database, now: datetime, limit: int, lease: timedelta) -> list[FeedState]:
    """Pick up to ``limit`` due feeds, most overdue first, and lease them (next due = now + lease).

    One transaction; on PostgreSQL rows another poller holds are skipped, so replicas share the work.
    """
    if limit <= 0:
        return []
    with db.session() as session:
        query = (
            select(Feed)
            .where(Feed.next_due_at <= now, Feed.paused.is_(False))
            .order_by(Feed.next_due_at)
            .limit(limit)
        )
        rows = session.scalars(query.with_for_update(skip_locked=True)).all()
        if rows:
            session.execute(
                update(Feed).where(Feed.id.in_([f.id for f in rows])).values(next_due_at=now + lease)
            )
        return [feed_state(f) for f in rows]


def _row(outcome: Outcome) -> dict[str, object]:
    return {
        "fid": outcome.feed_id,
        "last_fetch_at": outcome.at,
        "last_status": outcome.status[:200],
        "consecutive_errors": outcome.errors,
        "next_due_at": outcome.at + timedelta(seconds=outcome.next_in),
        "current_interval_s": outcome.current_interval_s,
        "new_items": outcome.items,
        "etag": outcome.etag,
        "last_modified": outcome.last_modified,
    }


def _statement(ok: bool) -> Any:
    values: dict[str, object] = {
        "last_fetch_at": bindparam("last_fetch_at"),
        "last_status": bindparam("last_status"),
        "consecutive_errors": bindparam("consecutive_errors"),
        "next_due_at": bindparam("next_due_at"),
        "current_interval_s": bindparam("current_interval_s"),
        "items_seen": Feed.items_seen + bindparam("new_items"),
    }
    if ok:
        values |= {
            "etag": bindparam("etag"),
            "last_modified": bindparam("last_modified"),
            "last_success_at": bindparam("last_fetch_at"),
        }
    return update(Feed).where(Feed.id == bindparam("fid")).values(**values)


def _apply_details(session: Any, outcome: Outcome) -> None:
    values: dict[str, object] = {}
    if outcome.title:
        values["title"] = outcome.title[:500]
    new_url = outcome.new_url
    if new_url and session.scalar(select(Feed.id).where(Feed.url == new_url)) is None:
        values["url"] = new_url
    if values:
        session.execute(update(Feed).where(Feed.id == outcome.feed_id).values(**values))


def record_fetches(db: Database, outcomes: Sequence[Outcome]) -> None:
    """Store many fetches' outcomes in one transaction: an executemany for successes, one for failures.

    Only a new title or a permanent redirect costs a statement of its own.
    """
    if not outcomes:
        return
    with db.session() as session:
        connection = session.connection()
        for ok in (True, False):
            rows = [_row(o) for o in outcomes if o.ok is ok]
            if rows:
                connection.execute(_statement(ok), rows)
        for outcome in outcomes:
            if outcome.title or outcome.new_url:
                _apply_details(session, outcome)


def poll_now(db: Database, feed_id: int) -> None:
    """Make a feed due at once (a push told us it changed)."""
    with db.session() as session:
        f = session.get(Feed, feed_id)
        if f is not None:
            f.next_due_at = datetime.now(UTC)
