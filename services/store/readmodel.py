"""Projection of records into the read model: articles, events and deals, watchlists, alerts, dead letters.

Every function is idempotent: applying the same record twice leaves the store as applying it once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deals import DealState
from services.record_types import Alert, Article, DeadLetter, DealView, ProcurementEvent, Watchlist
from services.store.models import (
    AlertRow,
    ArticleRow,
    DeadLetterRow,
    Deal,
    DealSource,
    EventRow,
    WatchlistRow,
)


def project_article(session: Session, record: Article) -> None:
    """Insert or refresh an article."""
    row = session.get(ArticleRow, record["id"])
    if row is None:
        row = ArticleRow(id=record["id"])
        session.add(row)
    row.url = record["url"]
    row.feed_url = record.get("feed_url")
    row.source = record["source"]
    row.title = record["title"]
    row.language = record.get("language")
    row.published_at = record.get("published_at")
    row.fetched_at = record["fetched_at"]
    row.record = record


def project_event(session: Session, event: ProcurementEvent) -> tuple[Deal, str | None, bool]:
    """Apply a procurement event to its deal.

    Returns:
        (deal, previous furthest stage, True when the event is new to the store).
    """
    new = session.get(EventRow, event["id"]) is None
    if new:
        session.add(
            EventRow(
                id=event["id"],
                article_id=event["article_id"],
                classifier_version=event["classifier_version"],
                deal_key=event["deal_key"],
                buyer=event["buyer"],
                buyer_iso=event.get("buyer_iso"),
                seller=event.get("seller"),
                seller_iso=event.get("seller_iso"),
                system=event.get("system"),
                category=event["category"],
                stage=event["stage"],
                quantity=event.get("quantity"),
                detected_at=event["detected_at"],
                record=event,
            )
        )
    deal = session.get(Deal, event["deal_key"], with_for_update=True)
    previous = deal.stage if deal is not None else None
    if deal is None:
        deal = Deal(
            deal_key=event["deal_key"],
            buyer=event["buyer"],
            buyer_iso=event.get("buyer_iso"),
            seller=event.get("seller"),
            seller_iso=event.get("seller_iso"),
            system=event.get("system"),
            category=event["category"],
            stage=event["stage"],
            stages_seen={},
            quantity=None,
            quantity_approx=False,
            value=None,
            updated_at=event["detected_at"],
        )
        session.add(deal)
    if new:
        state = DealState(
            stage=previous,
            stages_seen=dict(deal.stages_seen or {}),
            quantity=deal.quantity,
            quantity_approx=bool(deal.quantity_approx),
            value=deal.value,
            seller=deal.seller,
            system=deal.system,
        )
        state.apply(event)
        deal.stage = str(state.stage)
        deal.stages_seen = state.stages_seen
        deal.quantity = state.quantity
        deal.quantity_approx = state.quantity_approx
        deal.value = state.value
        deal.seller = state.seller
        deal.system = state.system
        deal.updated_at = str(state.updated_at)
        session.add(
            DealSource(
                deal_key=event["deal_key"],
                event_id=event["id"],
                article_id=event["article_id"],
                stage=event["stage"],
                outlet=event.get("source") or "unknown",
                language=event.get("language"),
                url=event.get("article_url"),
                title=event.get("article_title"),
                evidence=event["evidence"],
                seen_at=event["detected_at"],
            )
        )
    return deal, previous, new


def deal_record(deal: Deal, sources: list[DealSource] | None = None) -> DealView:
    """A deal as the CLI and the API show it, with its sources when given."""
    record: DealView = {
        "deal_key": deal.deal_key,
        "buyer": deal.buyer,
        "buyer_iso": deal.buyer_iso,
        "seller": deal.seller,
        "seller_iso": deal.seller_iso,
        "system": deal.system,
        "category": deal.category,
        "stage": deal.stage,
        "stages_seen": dict(deal.stages_seen or {}),
        "quantity": deal.quantity,
        "quantity_approx": deal.quantity_approx,
        "value": deal.value,
        "updated_at": deal.updated_at,
    }
    if sources is not None:
        record["sources"] = [
            {
                "outlet": s.outlet,
                "language": s.language,
                "url": s.url,
                "stage": s.stage,
                "evidence": s.evidence,
            }
            for s in sources
        ]
    return record


def deal_sources(session: Session, deal_key: str) -> list[DealSource]:
    """Every report of a deal, oldest first."""
    query = select(DealSource).where(DealSource.deal_key == deal_key).order_by(DealSource.id)
    return list(session.scalars(query))


def project_watchlist(session: Session, watchlist_id: str, record: Watchlist | None, at: str) -> None:
    """Insert, replace or (record None: tombstone) delete a watchlist."""
    row = session.get(WatchlistRow, watchlist_id)
    if record is None:
        if row is not None:
            row.deleted = True
            row.updated_at = at
        return
    if row is None:
        row = WatchlistRow(id=watchlist_id)
        session.add(row)
    row.name = record["name"]
    row.owner = record["owner"]
    row.record = record
    row.deleted = False
    row.updated_at = record["updated_at"]


def live_watchlist(session: Session, watchlist_id: str) -> Watchlist | None:
    """The watchlist's definition; None when there is none or it was removed."""
    row = session.get(WatchlistRow, watchlist_id)
    return row.record.copy() if row is not None and not row.deleted else None


def active_watchlists(session: Session) -> list[Watchlist]:
    """The definitions of every watchlist not deleted."""
    rows = session.scalars(
        select(WatchlistRow).where(WatchlistRow.deleted.is_(False)).order_by(WatchlistRow.id)
    )
    return [r.record.copy() for r in rows]


def project_alert(session: Session, record: Alert, *, published: bool = False) -> bool:
    """Insert an alert unless its (watchlist, deal, stage) was alerted before; True when inserted.

    Its digest hold (digest, due_at, digest_id) comes from the record; `published` says it is on the
    topic already (a rebuild), else the notifier publishes it before any send.
    """
    exists = session.scalar(
        select(AlertRow.id).where(
            AlertRow.watchlist_id == record["watchlist_id"],
            AlertRow.deal_key == record["deal_key"],
            AlertRow.stage == record["stage"],
        )
    )
    if exists is not None:
        return False
    session.add(
        AlertRow(
            id=record["id"],
            watchlist_id=record["watchlist_id"],
            deal_key=record["deal_key"],
            stage=record["stage"],
            created_at=record["created_at"],
            record=record,
            published=published,
            digest=record.get("digest") or "off",
            due_at=record.get("due_at"),
            digest_id=record.get("digest_id"),
        )
    )
    return True


def project_dead_letter(session: Session, record: DeadLetter) -> None:
    """Keep a dead letter for the operators (once per origin topic, partition and offset)."""
    exists = session.scalar(
        select(DeadLetterRow.id).where(
            DeadLetterRow.topic == record["topic"],
            DeadLetterRow.partition == record["partition"],
            DeadLetterRow.offset == record["offset"],
        )
    )
    if exists is not None:
        return
    session.add(
        DeadLetterRow(
            topic=record["topic"],
            partition=record["partition"],
            offset=record["offset"],
            reason=record["reason"],
            at=record["at"],
        )
    )
