"""WebSub subscription state of a feed: requested, verified by its hub, expiring and due for renewal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.store.db import Database
from services.store.feeds.catalog import FeedState, feed_state
from services.store.models import Feed


@dataclass(frozen=True, slots=True)
class WebSubRecord:
    """A feed's WebSub subscription as the callback endpoint needs it."""

    feed_id: int
    url: str
    topic: str | None
    secret: str | None
    state: str | None
    full_text: bool = False


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
        return [feed_state(f) for f in rows]
