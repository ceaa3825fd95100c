"""Feeds in the SQL store: add, list, remove, claim the due ones in batches, record fetch outcomes in batches.

The poller's hot path costs few queries: ``claim_due`` picks and leases a batch of due
feeds in one transaction, ``unseen`` tells which of a feed's article ids are new in one
select and ``claim_seen`` remembers them, once produced, in one insert, and ``record_fetches`` writes many feeds' outcomes in one
``executemany``. WebSub subscription state and health notices live on the feed row too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.errors import UsageError
from services.store.db import Database
from services.store.models import Feed, SeenItem

__all__ = [
    "FeedState",
    "Outcome",
    "WebSubRecord",
    "add_feed",
    "add_feeds",
    "claim_due",
    "claim_seen",
    "get_feed",
    "list_feeds",
    "mark_notified",
    "record_fetches",
    "remove_feed",
    "unseen",
    "websub_expiring",
    "websub_get",
    "websub_pending",
    "websub_verified",
]


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


@dataclass(frozen=True, slots=True)
class WebSubRecord:
    """A feed's WebSub subscription as the callback endpoint needs it."""

    feed_id: int
    url: str
    topic: str | None
    secret: str | None
    state: str | None
    full_text: bool = False


def _state(f: Feed) -> FeedState:
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


def claim_due(db: Database, now: datetime, limit: int, lease: timedelta) -> list[FeedState]:
    """Pick up to ``limit`` due feeds, most overdue first, and lease them (next due = now + lease).

    One transaction; on PostgreSQL rows another poller holds are skipped, so replicas share the work.
    """
    if limit <= 0:
        return []
    with db.session() as session:
        query = select(Feed).where(Feed.next_due_at <= now).order_by(Feed.next_due_at).limit(limit)
        rows = session.scalars(query.with_for_update(skip_locked=True)).all()
        if rows:
            session.execute(
                update(Feed).where(Feed.id.in_([f.id for f in rows])).values(next_due_at=now + lease)
            )
        return [_state(f) for f in rows]


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


def mark_notified(db: Database, feed_id: int, broken: bool) -> None:
    """Remember that a 'feed broken' notice went out (or, ``broken=False``, the recovery one)."""
    with db.session() as session:
        session.execute(
            update(Feed)
            .where(Feed.id == feed_id)
            .values(broken_notified_at=datetime.now(UTC) if broken else None)
        )


def claim_seen(db: Database, feed_id: int, article_ids: Sequence[str]) -> list[str]:
    """Remember the ids not seen before and return them, in order; one select and one insert.

    Seen from any feed counts: the same article in two feeds is produced once.
    """
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    now = datetime.now(UTC)
    try:
        with db.session() as session:
            known = set(session.scalars(select(SeenItem.article_id).where(SeenItem.article_id.in_(wanted))))
            fresh = [a for a in wanted if a not in known]
            if fresh:
                session.execute(
                    insert(SeenItem), [{"article_id": a, "feed_id": feed_id, "seen_at": now} for a in fresh]
                )
            return fresh
    except IntegrityError:  # another poller claimed one of them meanwhile: settle one by one
        return [a for a in wanted if _claim_one(db, feed_id, a, now)]


def _claim_one(db: Database, feed_id: int, article_id: str, now: datetime) -> bool:
    try:
        with db.session() as session:
            if session.get(SeenItem, article_id) is not None:
                return False
            session.add(SeenItem(article_id=article_id, feed_id=feed_id, seen_at=now))
        return True
    except IntegrityError:
        return False


def unseen(db: Database, article_ids: Sequence[str]) -> list[str]:
    """The ids no feed has produced yet, in order (read only: ``claim_seen`` remembers them once produced)."""
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    with db.session() as session:
        known = set(session.scalars(select(SeenItem.article_id).where(SeenItem.article_id.in_(wanted))))
    return [a for a in wanted if a not in known]


# --- WebSub -------------------------------------------------------------------------------------


def websub_pending(db: Database, feed_id: int, *, hub: str, topic: str, secret: str) -> str:
    """Record a subscription request to ``hub`` (state 'pending' until verified); return the secret to send.

    A renewal with the same hub keeps the secret already shared, so pushes in flight still verify.
    """
    with db.session() as session:
        f = session.get(Feed, feed_id)
        if f is None:
            return secret
        if f.websub_secret and f.websub_hub == hub:
            secret = f.websub_secret
        f.websub_hub, f.websub_topic, f.websub_secret = hub, topic, secret
        if f.websub_state != "active":
            f.websub_state = "pending"
        return secret


def websub_get(db: Database, feed_id: int) -> WebSubRecord | None:
    """The subscription of one feed, or None when there is no such feed."""
    with db.session() as session:
        f = session.get(Feed, feed_id)
        if f is None:
            return None
        return WebSubRecord(f.id, f.url, f.websub_topic, f.websub_secret, f.websub_state, f.full_text)


def poll_now(db: Database, feed_id: int) -> None:
    """Make a feed due at once (a push told us it changed)."""
    with db.session() as session:
        f = session.get(Feed, feed_id)
        if f is not None:
            f.next_due_at = datetime.now(UTC)


def websub_verified(db: Database, feed_id: int, *, mode: str, lease_seconds: float | None) -> None:
    """Store the hub's verified intent: 'subscribe' (active until the lease ends) or 'unsubscribe'/'denied'."""
    with db.session() as session:
        f = session.get(Feed, feed_id)
        if f is None:
            return
        if mode == "subscribe":
            f.websub_state = "active"
            f.websub_expires_at = (
                datetime.now(UTC) + timedelta(seconds=lease_seconds) if lease_seconds else None
            )
        else:
            f.websub_state = "denied" if mode == "denied" else None
            f.websub_expires_at = None


def websub_expiring(db: Database, before: datetime, limit: int = 100) -> list[FeedState]:
    """Active subscriptions whose lease ends before ``before``: the ones to renew now."""
    with db.session() as session:
        rows = session.scalars(
            select(Feed)
            .where(Feed.websub_state == "active", Feed.websub_expires_at <= before)
            .order_by(Feed.websub_expires_at)
            .limit(limit)
        ).all()
        return [_state(f) for f in rows]
