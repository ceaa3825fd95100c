"""`armswatch replay`: run stored history through the current classifier and/or a watchlist.

Dry runs print what would be produced or alerted; `--deliver` makes it so: new events go on the
procurement topic (the live notifier then alerts every watchlist, once per deal and stage), and a
watchlist's replayed alerts are created for the running notifier to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.classify.agent import to_events
from services.classify.backends import Classifier
from services.notify.alerts import create_alert
from services.notify.backfill import stored_deal_events, would_alert
from services.record_types import Article, DealView, ProcurementEvent, Watchlist
from services.store.db import Database
from services.store.models import ArticleRow, EventRow


@dataclass
class ReplayResult:
    """What a replay found: events (new ones marked) and the alerts a watchlist would raise."""

    articles: int = 0
    events: list[ProcurementEvent] = field(default_factory=list)
    new_event_ids: set[str] = field(default_factory=set)
    alerts: list[tuple[DealView, ProcurementEvent]] = field(default_factory=list)


def _in_window(value: str | None, since: str | None, until: str | None) -> bool:
    if value is None:
        return since is None and until is None
    return (since is None or value >= since) and (until is None or value[: len(until)] <= until)


def stored_articles(db: Database, since: str | None, until: str | None) -> list[Article]:
    """Article records fetched within the window, oldest first."""
    with db.session() as session:
        rows = session.scalars(select(ArticleRow).order_by(ArticleRow.fetched_at, ArticleRow.id)).all()
        return [r.record.copy() for r in rows if _in_window(r.fetched_at, since, until)]


def reclassify(db: Database, classifier: Classifier, since: str | None, until: str | None) -> ReplayResult:
    """Classify the window's articles again with `classifier`; mark events the store lacks."""
    articles = stored_articles(db, since, until)
    result = ReplayResult(articles=len(articles))
    for article in articles:
        result.events.extend(to_events(article, classifier, detected_at=article["fetched_at"]))
    with db.session() as session:
        known = set(
            session.scalars(select(EventRow.id).where(EventRow.id.in_([e["id"] for e in result.events])))
        )
    result.new_event_ids = {e["id"] for e in result.events} - known
    return result


def _group(events: list[ProcurementEvent]) -> list[tuple[str, list[ProcurementEvent]]]:
    deals: dict[str, list[ProcurementEvent]] = {}
    for event in sorted(events, key=lambda e: (e["detected_at"], e["id"])):
        deals.setdefault(event["deal_key"], []).append(event)
    return sorted(deals.items())


def watchlist_alerts(
    db: Database,
    watchlist: Watchlist,
    since: str | None,
    until: str | None,
    events: list[ProcurementEvent] | None = None,
) -> list[tuple[DealView, ProcurementEvent]]:
    """(deal, event) pairs the watchlist would alert on: over `events` when given, else the stored ones."""
    start = since or ""
    deal_events = _group(events) if events is not None else stored_deal_events(db, start)
    return [
        (d, e)
        for d, e in would_alert(watchlist, deal_events, start)
        if _in_window(e["detected_at"], since, until)
    ]


def create_alerts(db: Database, watchlist: Watchlist, alerts: list[tuple[DealView, ProcurementEvent]]) -> int:
    """Create the alert rows (once per watchlist, deal and stage) for the running notifier; return how many."""
    created = 0
    for deal, event in alerts:
        try:
            with db.session() as session:
                created += create_alert(session, watchlist, deal, event) is not None
        except IntegrityError:
            continue
    return created
