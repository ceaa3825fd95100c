"""Backfill: run a new watchlist over the stored events of a past window and create the alerts it would have sent.

The deal of every event in the window is replayed from its first stored event, in detection order,
exactly as the live rule sees it (``alerts.py``): an event alerts when its stage is the deal's
furthest stage so far, the watchlist matches the deal as it stood then, and enough distinct outlets
had reported that stage. Alerts go through the same unique (watchlist, deal, stage) row, so a
backfill never adds a second alert for what the live path alerted, nor the reverse; the running
notifier delivers them like any other pending alert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.deals import DealState
from services.errors import UsageError
from services.notify.alerts import create_alert, iso
from services.notify.matcher import matches
from services.record_types import Alert, DealView, ProcurementEvent, Watchlist
from services.store.db import Database
from services.store.models import EventRow

__all__ = ["DealReplay", "backfill", "parse_window", "stored_deal_events", "would_alert"]

_WINDOW = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: The longest look-back a backfill takes (ten years).
MAX_WINDOW = timedelta(days=3653)


def parse_window(text: str) -> timedelta:
    """A look-back window: "30d", "12h", "90m", "2w"; UsageError naming --backfill otherwise."""
    found = _WINDOW.match(text.lower())
    if not found or int(found.group(1)) <= 0:
        raise UsageError(f"watch: --backfill {text!r} is not a window such as 30d, 12h or 2w")
    try:
        window = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    except OverflowError:
        window = MAX_WINDOW + MAX_WINDOW
    if window > MAX_WINDOW:
        raise UsageError(f"watch: --backfill {text!r} is longer than {MAX_WINDOW.days} days")
    return window


@dataclass
class DealReplay:
    """A deal as its events build it up, one at a time, folded exactly as the read model folds it."""

    deal_key: str
    first: ProcurementEvent
    state: DealState = field(default_factory=DealState)
    outlets: dict[str, set[str]] = field(default_factory=dict)

    def apply(self, event: ProcurementEvent) -> None:
        """Fold one event into the deal and note the outlet that reported its stage."""
        self.state.apply(event)
        self.outlets.setdefault(event["stage"], set()).add(event.get("source") or "unknown")

    def snapshot(self) -> DealView:
        """The deal's fields as the matcher and renderers read them (``alerts.deal_dict``)."""
        return {
            "deal_key": self.deal_key,
            "buyer": self.first["buyer"],
            "buyer_iso": self.first.get("buyer_iso"),
            "seller": self.state.seller,
            "seller_iso": self.first.get("seller_iso"),
            "system": self.state.system,
            "category": self.first["category"],
            "stage": self.state.stage,
            "stages_seen": dict(self.state.stages_seen),
            "quantity": self.state.quantity,
            "quantity_approx": self.state.quantity_approx,
            "value": self.state.value,
        }


def would_alert(
    watchlist: Watchlist, deal_events: Iterable[tuple[str, list[ProcurementEvent]]], since: str
) -> list[tuple[DealView, ProcurementEvent]]:
    """(deal as it stood, event) for every event since `since` that the live rule would alert on.

    Args:
        watchlist: A Watchlist record.
        deal_events: (deal_key, every event of that deal in detection order) pairs.
        since: Events detected before this RFC 3339 time build the deal up but do not alert.
    """
    out: list[tuple[DealView, ProcurementEvent]] = []
    for key, events in deal_events:
        replay: DealReplay | None = None
        for event in events:
            replay = replay or DealReplay(key, event.copy())
            replay.apply(event)
            if event["detected_at"] < since or not replay.state.alerts_on(event):
                continue
            deal = replay.snapshot()
            if not matches(watchlist, deal, event):
                continue
            if len(replay.outlets.get(event["stage"], ())) < watchlist.get("min_sources", 1):
                continue
            out.append((deal, event.copy()))
    return out


def stored_deal_events(db: Database, since: str) -> list[tuple[str, list[ProcurementEvent]]]:
    """Every stored event of each deal that has an event detected since `since`, in detection order."""
    with db.session() as session:
        keys = session.scalars(
            select(EventRow.deal_key)
            .where(EventRow.detected_at >= since)
            .distinct()
            .order_by(EventRow.deal_key)
        ).all()
        return [
            (
                key,
                [
                    record.copy()
                    for record in session.scalars(
                        select(EventRow.record)
                        .where(EventRow.deal_key == key)
                        .order_by(EventRow.detected_at, EventRow.id)
                    )
                ],
            )
            for key in keys
        ]


def backfill(
    db: Database, watchlist: Watchlist, window: timedelta, now: datetime | None = None
) -> list[Alert]:
    """Create the alerts `watchlist` would have raised on the events of the last `window`; return them.

    Args:
        db: The store (events, deals, alerts).
        watchlist: A Watchlist record, already saved.
        window: How far back to look.
        now: The end of the window (default: now).

    Returns:
        The alert records created, oldest first (none for a (deal, stage) alerted before).
    """
    at = now or datetime.now(UTC)
    since = iso(at - window)
    created: list[Alert] = []
    for deal, event in would_alert(watchlist, stored_deal_events(db, since), since):
        try:
            with db.session() as session:
                record = create_alert(session, watchlist, deal, event, now=at)
        except IntegrityError:  # the live notifier alerted the same (watchlist, deal, stage) meanwhile
            record = None
        if record is not None:
            created.append(record)
    return created
