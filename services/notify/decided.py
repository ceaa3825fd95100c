"""Decided alerts onto armswatch.alerts: an alert is published once decided, before any send.

An alert is a fact the moment it is decided. On the topic, it survives a rebuild whether or not it
was sent yet (a digest alert held until its period ends, one whose channel is down); a crash
between deciding and publishing leaves ``alerts.published`` false, and the next pass publishes it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select, update

from services.bus import Publisher
from services.notify.render import render
from services.notify.view import AlertView, SourceView
from services.record_types import Alert
from services.records import ALERT
from services.store.db import Database
from services.store.models import AlertRow, WatchlistRow
from services.store.readmodel import deal_sources

__all__ = ["build_view", "publish_decided"]


def build_view(session: Any, alert: Alert, watchlist_name: str) -> AlertView:
    """The display view of an alert: its deal as alerted, with every source known now."""
    deal = alert["deal"]
    sources: list[SourceView] = []
    seen: set[tuple[str, str | None]] = set()
    evidence = ""
    for src in deal_sources(session, alert["deal_key"]):
        if src.stage == alert["stage"] and not evidence:
            evidence = src.evidence
        if (src.outlet, src.url) in seen:
            continue
        seen.add((src.outlet, src.url))
        sources.append(SourceView(outlet=src.outlet, language=src.language, url=src.url, title=src.title))
    return AlertView(
        alert_id=alert["id"],
        watchlist_name=watchlist_name,
        deal_key=alert["deal_key"],
        buyer=deal["buyer"],
        buyer_iso=deal.get("buyer_iso"),
        seller=deal.get("seller"),
        seller_iso=deal.get("seller_iso"),
        system=deal.get("system"),
        category=deal["category"],
        quantity=deal.get("quantity"),
        quantity_approx=bool(deal.get("quantity_approx")),
        value=deal.get("value"),
        stage=alert["stage"],
        previous_stage=alert.get("previous_stage"),
        evidence=evidence,
        sources=tuple(sources),
        first_seen=(deal.get("stages_seen") or {}).get(alert["stage"]),
    )


def _decided(db: Database, limit: int) -> list[Alert]:
    """Alerts decided but not yet on armswatch.alerts, each with its rendered text."""
    out: list[Alert] = []
    with db.session() as session:
        rows = session.scalars(
            select(AlertRow).where(AlertRow.published.is_(False)).order_by(AlertRow.created_at).limit(limit)
        ).all()
        for row in rows:
            wl = session.get(WatchlistRow, row.watchlist_id)  # a removed watchlist still names its alerts
            name = wl.record["name"] if wl is not None else row.watchlist_id
            text = render(build_view(session, row.record.copy(), name), "text")
            out.append({**row.record, "text": f"{text.title}\n\n{text.body}"})
    return out


def _mark_published(db: Database, alert_ids: list[str]) -> None:
    with db.session() as session:
        session.execute(update(AlertRow).where(AlertRow.id.in_(alert_ids)).values(published=True))


async def publish_decided(publisher: Publisher, batch: int = 500) -> int:
    """Publish every alert decided and not yet on armswatch.alerts; return how many were published."""
    total = 0
    while decided := await asyncio.to_thread(_decided, publisher.db, batch):
        await publisher.publish_many(
            ALERT, [(record, record["watchlist_id"], record["id"]) for record in decided]
        )
        await asyncio.to_thread(_mark_published, publisher.db, [record["id"] for record in decided])
        total += len(decided)
    return total
