"""Feeds in the SQL store: add, list, remove, pick the due ones, record each fetch's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.errors import UsageError
from services.store.db import Database
from services.store.models import Feed, SeenItem


@dataclass(frozen=True)
class FeedState:
    """What the poller needs of a feed."""

    id: int
    url: str
    interval_s: float
    etag: str | None
    last_modified: str | None
    consecutive_errors: int
    full_text: bool


def add_feed(db: Database, url: str, interval_s: float, full_text: bool = False) -> int:
    """Add a feed, due at once; UsageError when it is there already."""
    try:
        with db.session() as session:
            feed = Feed(
                url=url,
                interval_s=interval_s,
                full_text=full_text,
                consecutive_errors=0,
                items_seen=0,
                next_due_at=datetime.now(UTC),
                created_at=datetime.now(UTC),
            )
            session.add(feed)
            session.flush()
            return feed.id
    except IntegrityError as exc:
        raise UsageError(f"feeds: {url} is already watched") from exc


def list_feeds(db: Database) -> list[Feed]:
    """Every feed, oldest first."""
    with db.session() as session:
        return list(session.scalars(select(Feed).order_by(Feed.id)))


def remove_feed(db: Database, feed_id: int) -> None:
    """Remove a feed; UsageError when there is none with that id."""
    with db.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise UsageError(f"feeds: no feed with id {feed_id}")
        session.delete(feed)


def due_feeds(db: Database, now: datetime, limit: int) -> list[FeedState]:
    """Feeds whose next poll is due, most overdue first."""
    with db.session() as session:
        rows = session.scalars(
            select(Feed).where(Feed.next_due_at <= now).order_by(Feed.next_due_at).limit(limit)
        ).all()
        return [
            FeedState(f.id, f.url, f.interval_s, f.etag, f.last_modified, f.consecutive_errors, f.full_text)
            for f in rows
        ]


def postpone(db: Database, feed_id: int, until: datetime) -> None:
    """Move a feed's next poll (so a slow fetch is not picked twice)."""
    with db.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is not None:
            feed.next_due_at = until


def record_fetch(
    db: Database,
    feed_id: int,
    *,
    status: str,
    ok: bool,
    next_in: float,
    etag: str | None = None,
    last_modified: str | None = None,
    new_url: str | None = None,
    title: str | None = None,
    items: int = 0,
) -> int:
    """Store one fetch's outcome; return the feed's consecutive error count after it."""
    now = datetime.now(UTC)
    with db.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return 0
        feed.last_fetch_at = now
        feed.last_status = status[:200]
        feed.consecutive_errors = 0 if ok else feed.consecutive_errors + 1
        feed.next_due_at = now + timedelta(seconds=next_in)
        feed.items_seen += items
        if ok:
            feed.etag = etag
            feed.last_modified = last_modified
        if title:
            feed.title = title[:500]
        if (
            new_url
            and new_url != feed.url
            and session.scalar(select(Feed.id).where(Feed.url == new_url)) is None
        ):
            feed.url = new_url
        return feed.consecutive_errors


def mark_seen(db: Database, article_id: str, feed_id: int) -> bool:
    """Remember an article id; False when some feed produced it before."""
    try:
        with db.session() as session:
            if session.get(SeenItem, article_id) is not None:
                return False
            session.add(SeenItem(article_id=article_id, feed_id=feed_id, seen_at=datetime.now(UTC)))
        return True
    except IntegrityError:
        return False


def forget_seen(db: Database, article_id: str) -> None:
    """Undo mark_seen when the article could not be produced (so the next poll tries again)."""
    with db.session() as session:
        row = session.get(SeenItem, article_id)
        if row is not None:
            session.delete(row)
