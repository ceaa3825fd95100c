"""The read model's queries, one place for the CLI and the API: they only parse their input and format these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from typing_extensions import TypedDict

from services.config import redact_url
from services.record_types import Alert, DealView, ProcurementEvent, Watchlist
from services.store.db import Database
from services.store.models import (
    AlertRow,
    ArticleRow,
    DeadLetterRow,
    Deal,
    EventLog,
    EventRow,
    Feed,
    LedgerEntry,
    WatchlistRow,
)
from services.store.readmodel import deal_record, deal_sources, live_watchlist

#: The most rows one query answers.
MAX_ROWS = 10_000


def events(
    db: Database, *, buyer_iso: str | None = None, since: str | None = None, limit: int = 50
) -> list[ProcurementEvent]:
    """Procurement events, newest first, of one buyer and from one time on when given."""
    query = select(EventRow).order_by(EventRow.detected_at.desc()).limit(min(limit, MAX_ROWS))
    if buyer_iso is not None:
        query = query.where(EventRow.buyer_iso == buyer_iso)
    if since:
        query = query.where(EventRow.detected_at >= since)
    with db.session() as session:
        return [row.record.copy() for row in session.scalars(query)]


def deals(
    db: Database, *, buyer_iso: str | None = None, stage: str | None = None, limit: int = 50
) -> list[DealView]:
    """Deals with their sources, most recently updated first, of one buyer and at one stage when given."""
    query = select(Deal).order_by(Deal.updated_at.desc()).limit(min(limit, MAX_ROWS))
    if buyer_iso is not None:
        query = query.where(Deal.buyer_iso == buyer_iso)
    if stage:
        query = query.where(Deal.stage == stage)
    with db.session() as session:
        return [deal_record(deal, deal_sources(session, deal.deal_key)) for deal in session.scalars(query)]


def watchlist(db: Database, watchlist_id: str, *, owner: str | None = None) -> Watchlist | None:
    """One watchlist (of `owner` when given); None when there is none (or it was removed)."""
    with db.session() as session:
        found = live_watchlist(session, watchlist_id)
    return found if found is not None and (owner is None or found["owner"] == owner) else None


def watchlists(db: Database, *, owner: str | None = None) -> list[Watchlist]:
    """The watchlists (of `owner` when given) by name."""
    query = select(WatchlistRow).where(WatchlistRow.deleted.is_(False)).order_by(WatchlistRow.name)
    if owner is not None:
        query = query.where(WatchlistRow.owner == owner)
    with db.session() as session:
        return [row.record.copy() for row in session.scalars(query)]


def watchlists_named(db: Database, ref: str, *, owner: str | None = None) -> list[Watchlist]:
    """The watchlist whose id is `ref`, else those named `ref` (case and outer spaces ignored)."""
    found = watchlist(db, ref, owner=owner)
    if found is not None:
        return [found]
    name = ref.strip().casefold()
    return [w for w in watchlists(db, owner=owner) if w["name"].strip().casefold() == name]


class ChannelSend(TypedDict):
    """What became of an alert's send on one channel (the channel shown redacted)."""

    channel: str
    status: str
    attempts: int
    error: str | None
    updated_at: str


class AlertReport(TypedDict):
    """An alert, its watchlist's name, whether it is sent or held for a digest, and each channel's send."""

    alert: Alert
    watchlist_name: str
    delivered: bool
    held: bool
    sends: list[ChannelSend]


def alerts(
    db: Database, *, watchlist_id: str | None = None, since: str | None = None, limit: int = 50
) -> list[AlertReport]:
    """Alerts newest first, of one watchlist and from one time on when given, with their sends."""
    query = select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id).limit(min(limit, MAX_ROWS))
    if watchlist_id is not None:
        query = query.where(AlertRow.watchlist_id == watchlist_id)
    if since:
        query = query.where(AlertRow.created_at >= since)
    with db.session() as session:
        rows = session.scalars(query).all()
        send_ids = {r.id for r in rows} | {r.digest_id for r in rows if r.digest_id}
        sends: dict[str, list[ChannelSend]] = {}
        if send_ids:
            ledger = select(LedgerEntry).where(LedgerEntry.alert_id.in_(send_ids)).order_by(LedgerEntry.id)
            for entry in session.scalars(ledger):
                sends.setdefault(entry.alert_id, []).append(
                    {
                        "channel": entry.channel,
                        "status": entry.status,
                        "attempts": entry.attempts,
                        "error": entry.error,
                        "updated_at": entry.updated_at,
                    }
                )
        names = {
            w.id: w.record["name"]
            for w in session.scalars(
                select(WatchlistRow).where(WatchlistRow.id.in_({r.watchlist_id for r in rows}))
            )
        }
        return [
            {
                "alert": r.record.copy(),
                "watchlist_name": names.get(r.watchlist_id, r.watchlist_id),
                "delivered": r.delivered,
                "held": r.digest != "off" and not r.delivered,
                "sends": sends.get(r.digest_id if r.digest != "off" and r.digest_id else r.id, []),
            }
            for r in rows
        ]


class FeedTrouble(TypedDict):
    """A feed whose last polls failed."""

    id: int
    url: str
    errors: int
    status: str | None


class StoreHealth(TypedDict):
    """What the store tells of the running services: feeds, the last article, event and alert, what waits."""

    feeds: int
    feeds_paused: int
    feeds_in_error: list[FeedTrouble]
    last_article_at: str | None
    last_event_at: str | None
    last_alert_at: str | None
    alerts_pending: int
    alerts_held: int
    sends_deferred: int
    dead_letters: int
    quarantined: int
    outbox: int


def health(db: Database) -> StoreHealth:
    """Counts and the latest times of the read model, the ledger and the archive (feed URLs without credentials)."""

    def count(query: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    with db.session() as session:
        troubled = session.scalars(
            select(Feed).where(Feed.consecutive_errors > 0).order_by(Feed.consecutive_errors.desc()).limit(10)
        ).all()
        return {
            "feeds": count(select(Feed.id)),
            "feeds_paused": count(select(Feed.id).where(Feed.paused.is_(True))),
            "feeds_in_error": [
                {
                    "id": f.id,
                    "url": redact_url(f.url),
                    "errors": f.consecutive_errors,
                    "status": f.last_status,
                }
                for f in troubled
            ],
            "last_article_at": session.scalar(select(func.max(ArticleRow.fetched_at))),
            "last_event_at": session.scalar(select(func.max(EventRow.detected_at))),
            "last_alert_at": session.scalar(select(func.max(AlertRow.created_at))),
            "alerts_pending": count(
                select(AlertRow.id).where(AlertRow.delivered.is_(False), AlertRow.digest == "off")
            ),
            "alerts_held": count(
                select(AlertRow.id).where(AlertRow.delivered.is_(False), AlertRow.digest != "off")
            ),
            "sends_deferred": count(select(LedgerEntry.id).where(LedgerEntry.status == "deferred")),
            "dead_letters": count(select(DeadLetterRow.id)),
            "quarantined": count(select(EventLog.seq).where(EventLog.quarantine.is_not(None))),
            "outbox": count(
                select(EventLog.seq).where(EventLog.published.is_(False), EventLog.quarantine.is_(None))
            ),
        }
