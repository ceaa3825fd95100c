"""The read model's queries, one place for the CLI and the API: they only parse their input and format these."""

from __future__ import annotations

from sqlalchemy import select

from services.record_types import DealView, ProcurementEvent, Watchlist
from services.store.db import Database
from services.store.models import Deal, EventRow, WatchlistRow
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
