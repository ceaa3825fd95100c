"""The alert rule: once per (watchlist, deal, stage), when an event brings a matching deal to that stage."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notify.matcher import matches
from services.records import now_iso
from services.store.models import Deal, DealSource
from services.store.readmodel import active_watchlists, project_alert, project_event, stage_rank


def alert_id(watchlist_id: str, deal_key: str, stage: str) -> str:
    """The deterministic id of the one alert a watchlist gets for a deal at a stage."""
    return hashlib.sha256(f"{watchlist_id}|{deal_key}|{stage}".encode()).hexdigest()[:32]


def deal_dict(deal: Deal) -> dict[str, Any]:
    """The deal's fields as the matcher and renderers read them."""
    return {
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
    }


def previous_stage(stages_seen: dict[str, Any], stage: str) -> str | None:
    """The furthest stage seen before `stage` in the lifecycle, if any."""
    earlier = [s for s in stages_seen if s != stage and stage_rank(s) < stage_rank(stage)]
    return max(earlier, key=stage_rank) if earlier else None


def outlets_reporting(session: Session, deal_key: str, stage: str) -> int:
    """How many distinct outlets reported the deal at this stage."""
    query = select(func.count(func.distinct(DealSource.outlet))).where(
        DealSource.deal_key == deal_key, DealSource.stage == stage
    )
    return int(session.scalar(query) or 0)


def apply_event(session: Session, event: dict[str, Any]) -> list[dict[str, Any]]:
    """Project the event into its deal and return the alerts it triggers (already inserted, not yet sent)."""
    deal, _before, new = project_event(session, event)
    if not new or deal.stage != event["stage"]:
        return []
    session.flush()
    current = deal_dict(deal)
    created = []
    for watchlist in active_watchlists(session):
        if not matches(watchlist, current, event):
            continue
        if outlets_reporting(session, deal.deal_key, event["stage"]) < watchlist.get("min_sources", 1):
            continue
        record = {
            "id": alert_id(watchlist["id"], deal.deal_key, event["stage"]),
            "watchlist_id": watchlist["id"],
            "event_ids": [event["id"]],
            "deal_key": deal.deal_key,
            "stage": event["stage"],
            "previous_stage": previous_stage(current["stages_seen"], event["stage"]),
            "text": "",
            "created_at": now_iso(),
            "deal": current,
        }
        if project_alert(session, record):
            created.append(record)
    return created
