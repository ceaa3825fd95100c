"""The alert rule: once per (watchlist, deal, stage), when an event brings a matching deal to that stage.

An event triggers when it is new to the store and its stage is the deal's furthest stage (so a
report of an earlier stage never alerts). Every later report of that stage is looked at again,
which is how ``min_sources`` works: the alert waits until N distinct outlets reported the stage,
and the unique (watchlist, deal, stage) row keeps it to one alert however many outlets follow.
Alerts of digest watchlists are held until their period ends (``due_at``, see ``digest.py``). An
alert is a fact once decided: the notifier publishes it on armswatch.alerts before any send.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.deals import previous_stage
from services.notify.matcher import matches
from services.record_types import Alert, DealView, ProcurementEvent, Watchlist
from services.records import now_iso
from services.store.models import Deal, DealSource
from services.store.readmodel import active_watchlists, deal_record, project_alert, project_event

__all__ = [
    "alert_id",
    "apply_event",
    "create_alert",
    "deal_dict",
    "digest_id",
    "outlets_reporting",
    "period_end",
    "previous_stage",
]


def alert_id(watchlist_id: str, deal_key: str, stage: str) -> str:
    """The deterministic id of the one alert a watchlist gets for a deal at a stage."""
    return hashlib.sha256(f"{watchlist_id}|{deal_key}|{stage}".encode()).hexdigest()[:32]


def period_end(digest: str, at: datetime) -> datetime:
    """The end of the hourly or daily digest period (UTC) that `at` falls in."""
    at = at.astimezone(UTC)
    if digest == "hourly":
        return at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def iso(at: datetime) -> str:
    """RFC 3339 UTC with milliseconds and a Z, as every stored time (string order is time order)."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def digest_id(watchlist_id: str, due_at: str) -> str:
    """The deterministic id of a watchlist's digest for the period ending at `due_at`."""
    return hashlib.sha256(f"digest|{watchlist_id}|{due_at}".encode()).hexdigest()[:32]


def deal_dict(deal: Deal) -> DealView:
    """The deal's fields as the matcher and renderers read them."""
    record = deal_record(deal)
    del record["updated_at"]
    return record


def outlets_reporting(session: Session, deal_key: str, stage: str) -> int:
    """How many distinct outlets reported the deal at this stage."""
    query = select(func.count(func.distinct(DealSource.outlet))).where(
        DealSource.deal_key == deal_key, DealSource.stage == stage
    )
    return int(session.scalar(query) or 0)


def create_alert(
    session: Session,
    watchlist: Watchlist,
    deal: DealView,
    event: ProcurementEvent,
    now: datetime | None = None,
) -> Alert | None:
    """Insert the watchlist's alert for the deal at the event's stage; None when it exists already."""
    created = now or datetime.now(UTC)
    digest = watchlist.get("digest") or "off"
    due_at = iso(period_end(digest, created)) if digest != "off" else None
    record: Alert = {
        "id": alert_id(watchlist["id"], deal["deal_key"], event["stage"]),
        "watchlist_id": watchlist["id"],
        "event_ids": [event["id"]],
        "deal_key": deal["deal_key"],
        "stage": event["stage"],
        "previous_stage": previous_stage(deal["stages_seen"], event["stage"]),
        "text": "",
        "created_at": iso(created) if now is not None else now_iso(),
        "deal": deal,
        "digest": digest,
        "due_at": due_at,
        "digest_id": digest_id(watchlist["id"], due_at) if due_at is not None else None,
    }
    if not project_alert(session, record):
        return None
    return record


def apply_event(session: Session, event: ProcurementEvent) -> list[Alert]:
    """Project the event into its deal and return the alerts it triggers (already inserted, not yet sent)."""
    deal, _before, new = project_event(session, event)
    if not new or deal.stage != event["stage"]:  # DealState.alerts_on, as the read model folded it
        return []
    session.flush()
    current = deal_dict(deal)
    created = []
    outlets: int | None = None
    for watchlist in active_watchlists(session):
        if not matches(watchlist, current, event):
            continue
        if outlets is None:
            outlets = outlets_reporting(session, deal.deal_key, event["stage"])
        if outlets < watchlist.get("min_sources", 1):
            continue
        record = create_alert(session, watchlist, current, event)
        if record is not None:
            created.append(record)
    return created
