"""The feeds users watch: add, list, remove, and what the poller reads of each (FeedState)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.errors import UsageError
from services.store.db import Database
from services.store.models import Feed


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller needs of a feed, as read when it was claimed."""

    id: int
    url: str
    interval_s: float
    etag: str | None
    last_modified: str | None
    consecutive_errors: int
    full_text: bool
    current_interval_s: float | None = None
    ever_read: bool = False
    notify: tuple[str, ...] = ()
    broken_notified: bool = False
    websub_state: str | None = None
    websub_hub: str | None = None
    websub_topic: str | None = None
    websub_expires_at: datetime | None = None
    title: str | None = None

    @property
    def pushed(self) -> bool:
        """True while a WebSub hub pushes this feed."""
        return self.websub_state == "active"


def feed_state(f: Feed) -> FeedState:
    """What the poller needs of a feed row."""
    return FeedState(
        id=f.id,
        url=f.url,
        interval_s=f.interval_s,
        etag=f.etag,
        last_modified=f.last_modified,
        consecutive_errors=f.consecutive_errors,
        full_text=f.full_text,
        current_interval_s=f.current_interval_s,
        ever_read=f.last_success_at is not None,
        notify=tuple(str(u) for u in f.notify or ()),
        broken_notified=f.broken_notified_at is not None,
        websub_state=f.websub_state,
        websub_hub=f.websub_hub,
        websub_topic=f.websub_topic,
        websub_expires_at=_aware(f.websub_expires_at),
        title=f.title,
    )


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _new_feed(url: str, interval_s: float, full_text: bool, owner: str | None, notify: Sequence[str]) -> Feed:
    now = datetime.now(UTC)
    return Feed(
        url=url,
        interval_s=interval_s,
        full_text=full_text,
        owner=owner,
        notify=list(notify) or None,
        consecutive_errors=0,
        items_seen=0,
        next_due_at=now,
        created_at=now,
    )


def add_feed(
    db: Database,
    url: str,
    interval_s: float,
    full_text: bool = False,
    *,
    owner: str | None = None,
    notify: Sequence[str] = (),
) -> int:
    """Add a feed, due at once; UsageError when it is there already."""
    try:
        with db.session() as session:
            feed = _new_feed(url, interval_s, full_text, owner, notify)
            session.add(feed)
            session.flush()
            return feed.id
    except IntegrityError as exc:
        raise UsageError(f"feeds: {url} is already watched") from exc


def add_feeds(
    db: Database, urls: Iterable[tuple[str, str | None]], interval_s: float, full_text: bool = False
) -> tuple[int, int]:
    """Add many (url, title) feeds in one transaction; return (added, already watched)."""
    wanted = dict(urls)
    with db.session() as session:
        known = set(session.scalars(select(Feed.url).where(Feed.url.in_(list(wanted)))))
        fresh = [url for url in wanted if url not in known]
        for url in fresh:
            feed = _new_feed(url, interval_s, full_text, None, ())
            feed.title = (wanted[url] or "")[:500] or None
            session.add(feed)
    return len(fresh), len(known)


def list_feeds(db: Database) -> list[Feed]:
    """Every feed, oldest first."""
    with db.session() as session:
        return list(session.scalars(select(Feed).order_by(Feed.id)))


def get_feed(db: Database, feed_id: int) -> Feed | None:
    """One feed, or None."""
    with db.session() as session:
        return session.get(Feed, feed_id)


def remove_feed(db: Database, feed_id: int) -> None:
    """Remove a feed; UsageError when there is none with that id."""
    with db.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise UsageError(f"feeds: no feed with id {feed_id}")
        session.delete(feed)


def mark_notified(db: Database, feed_id: int, broken: bool) -> None:
    """Remember that a 'feed broken' notice went out (or, ``broken=False``, the recovery one)."""
    with db.session() as session:
        session.execute(
            update(Feed)
            .where(Feed.id == feed_id)
            .values(broken_notified_at=datetime.now(UTC) if broken else None)
        )


def set_paused(db: Database, feed_id: int, paused: bool) -> None:
    """Pause a feed (no poller claims it) or resume it (due at once); UsageError when there is no such feed."""
    with db.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise UsageError(f"feeds: no feed with id {feed_id}")
        feed.paused = paused
        if not paused:
            feed.next_due_at = datetime.now(UTC)
