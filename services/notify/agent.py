"""The notify service: procurement events in → deals, alerts and deliveries (through apprise) out."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import faust
from sqlalchemy import select

from services.app import add_consumer
from services.bus import Publisher
from services.logs import get_logger
from services.notify import ledger
from services.notify.alerts import apply_event
from services.notify.channels import redact
from services.notify.deliver import Attempt, Deliverer
from services.notify.render import render
from services.notify.view import AlertView, SourceView
from services.records import ALERT, DEAD_LETTER, DELIVERY, PROCUREMENT_EVENT, WATCHLIST, now_iso
from services.store.models import AlertRow, WatchlistRow
from services.store.readmodel import deal_sources, project_dead_letter, project_watchlist

log = get_logger("notify")


def build_view(session: Any, alert: dict[str, Any], watchlist_name: str) -> AlertView:
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


class Notifier:
    """Decides alerts from events and delivers pending alerts to their watchlists' channels."""

    def __init__(self, publisher: Publisher, deliverer: Deliverer, concurrency: int = 16) -> None:
        self.publisher = publisher
        self.db = publisher.db
        self.deliverer = deliverer
        self.wakeup = asyncio.Event()
        self.concurrency = concurrency

    async def on_event(self, event: dict[str, Any] | None, _key: str | None) -> None:
        """Apply one procurement event; wake the delivery loop when it triggered alerts."""
        assert event is not None

        def apply() -> list[dict[str, Any]]:
            with self.db.session() as session:
                return apply_event(session, event)

        created = await asyncio.to_thread(apply)
        if created:
            log.info(
                "alerts triggered", deal_key=event["deal_key"], stage=event["stage"], alerts=len(created)
            )
            self.wakeup.set()

    async def on_watchlist(self, record: dict[str, Any] | None, key: str | None) -> None:
        """Keep the watchlist read model (a tombstone deletes)."""
        if key is None:
            return

        def apply() -> None:
            with self.db.session() as session:
                project_watchlist(session, key, record, now_iso())

        await asyncio.to_thread(apply)

    async def on_dead_letter(self, record: dict[str, Any] | None, _key: str | None) -> None:
        """Keep dead letters where operators can list them."""
        assert record is not None

        def apply() -> None:
            with self.db.session() as session:
                project_dead_letter(session, record)

        await asyncio.to_thread(apply)

    def _pending(self, limit: int) -> list[tuple[dict[str, Any], dict[str, Any] | None, AlertView]]:
        with self.db.session() as session:
            rows = session.scalars(
                select(AlertRow)
                .where(AlertRow.delivered.is_(False))
                .order_by(AlertRow.created_at)
                .limit(limit)
            ).all()
            out = []
            for row in rows:
                wl = session.get(WatchlistRow, row.watchlist_id)
                watchlist = dict(wl.record) if wl is not None and not wl.deleted else None
                if watchlist is not None and watchlist.get("digest", "off") != "off":
                    continue
                view = build_view(
                    session, dict(row.record), watchlist["name"] if watchlist else row.watchlist_id
                )
                out.append((dict(row.record), watchlist, view))
            return out

    def _mark_delivered(self, alert_id: str, text: str) -> None:
        with self.db.session() as session:
            row = session.get(AlertRow, alert_id)
            if row is not None:
                row.delivered = True
                row.record = {**row.record, "text": text}

    async def deliver_pending(self, limit: int = 200) -> int:
        """Publish and send every alert not delivered yet; return how many were handled."""
        pending = await asyncio.to_thread(self._pending, limit)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(alert: dict[str, Any], watchlist: dict[str, Any] | None, view: AlertView) -> None:
            async with gate:
                text = render(view, "text")
                record = {**alert, "text": f"{text.title}\n\n{text.body}"}
                await self.publisher.publish(ALERT, record, key=alert["watchlist_id"], record_id=alert["id"])
                urls = list((watchlist or {}).get("notify") or [])
                await asyncio.gather(*(self._send(alert["id"], url, view) for url in urls))
                await asyncio.to_thread(self._mark_delivered, alert["id"], record["text"])

        await asyncio.gather(*(one(*item) for item in pending))
        return len(pending)

    async def _send(self, alert_id: str, url: str, view: AlertView) -> None:
        shown = redact(url)
        if not await asyncio.to_thread(ledger.claim, self.db, alert_id, url, shown):
            return
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]

        async def on_attempt(attempt: Attempt) -> None:
            record = {
                "alert_id": alert_id,
                "channel": attempt.channel,
                "outcome": attempt.outcome,
                "attempt": attempt.attempt,
                "error": attempt.error,
                "at": now_iso(),
            }
            await self.publisher.publish(
                DELIVERY, record, key=alert_id, record_id=f"{alert_id}:{digest}:{attempt.attempt}"
            )

        result = await self.deliverer.send(url, view, on_attempt)
        status = "sent" if result.outcome == "sent" else "failed"
        await asyncio.to_thread(ledger.settle, self.db, alert_id, url, status, result.attempt, result.error)
        log.info("alert delivered", alert_id=alert_id, channel=shown, outcome=status, attempts=result.attempt)

    async def run_delivery_loop(self, stop: asyncio.Event, idle: float = 2.0) -> None:
        """Deliver pending alerts whenever woken, and every `idle` seconds, until `stop` is set."""
        while not stop.is_set():
            self.wakeup.clear()
            try:
                handled = await self.deliver_pending()
            except Exception:
                log.exception("delivery batch failed")
                handled = 0
            if handled:
                continue
            waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
            _done, rest = await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for task in rest:
                task.cancel()


def register(app: faust.App, notifier: Notifier) -> None:
    """Add the notify consumers (events, watchlists, dead letters) to `app`."""
    publisher = notifier.publisher
    add_consumer(app, publisher, PROCUREMENT_EVENT, notifier.on_event, name="notify-events")
    add_consumer(app, publisher, WATCHLIST, notifier.on_watchlist, name="notify-watchlists", tombstones=True)
    add_consumer(app, publisher, DEAD_LETTER, notifier.on_dead_letter, name="notify-deadletters")
