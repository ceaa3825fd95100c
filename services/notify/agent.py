"""The notify service: procurement events in → deals, alerts and deliveries (through apprise) out.

Consumers (Faust agents) keep the read model: events → deals and alerts (``alerts.py``), watchlist
definitions and tombstones, dead letters. The delivery loop takes undelivered alerts from the store
and sends each one as its own task, so a slow or failing channel holds only its own alerts: each
task publishes the Alert record, sends to every channel of the watchlist under the ledger
(``sending.py``), and marks the alert delivered once every channel is settled. Digests (``digest.py``)
are looked for every ``digest_tick`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import faust
from sqlalchemy import select

from services.app import add_consumer
from services.bus import Publisher
from services.logs import get_logger
from services.notify import ledger
from services.notify.alerts import apply_event
from services.notify.decided import build_view, publish_decided
from services.notify.deliver import Deliverer
from services.notify.digest import deliver_due_digests
from services.notify.render import render
from services.notify.sending import Sender
from services.notify.view import AlertView
from services.record_types import Alert, DeadLetter, ProcurementEvent, Watchlist
from services.records import DEAD_LETTER, PROCUREMENT_EVENT, WATCHLIST, now_iso
from services.store.models import AlertRow
from services.store.readmodel import live_watchlist, project_dead_letter, project_watchlist

__all__ = ["Notifier", "build_view", "register"]  # build_view: decided.py

log = get_logger("notify")


class Notifier:
    """Decides alerts from events and delivers pending alerts (and due digests) to their channels.

    Args:
        publisher: Publishes alerts and deliveries; its store is the read model and the ledger.
        deliverer: Sends one message to one channel with retries and the rate limit.
        max_inflight: Alerts in delivery at once.
        lease: Seconds another live notifier's delivery claim is respected.
        digest_tick: Seconds between two looks for due digests.
    """

    def __init__(
        self,
        publisher: Publisher,
        deliverer: Deliverer,
        *,
        max_inflight: int = 1000,
        lease: float = 600.0,
        digest_tick: float = 30.0,
    ) -> None:
        self.publisher = publisher
        self.db = publisher.db
        self.deliverer = deliverer
        self.sender = Sender(publisher, deliverer, lease)
        self.wakeup = asyncio.Event()
        self.max_inflight = max_inflight
        self.digest_tick = digest_tick
        self._inflight: dict[str, asyncio.Task[bool]] = {}
        self._gate = asyncio.Semaphore(4)

    @classmethod
    def from_settings(cls, publisher: Publisher) -> Notifier:
        """A notifier configured by the ARMSWATCH_NOTIFY_* settings, with a delivery pool of its own."""
        s = publisher.settings
        deliverer = Deliverer.from_settings(
            s, executor=ThreadPoolExecutor(s.notify_concurrency, thread_name_prefix="notify-send")
        )
        return cls(
            publisher,
            deliverer,
            max_inflight=s.notify_max_inflight,
            lease=s.notify_claim_lease,
            digest_tick=s.notify_digest_tick,
        )

    # -- consumers -------------------------------------------------------------------------

    async def on_event(self, event: ProcurementEvent | None, _key: str | None) -> None:
        """Apply one procurement event; wake the delivery loop when it triggered alerts."""
        assert event is not None

        def apply() -> list[Alert]:
            with self.db.session() as session:
                return apply_event(session, event)

        created = await asyncio.to_thread(apply)
        if created:
            log.info(
                "alerts triggered", deal_key=event["deal_key"], stage=event["stage"], alerts=len(created)
            )
            self.wakeup.set()

    async def on_watchlist(self, record: Watchlist | None, key: str | None) -> None:
        """Keep the watchlist read model (a tombstone deletes)."""
        if key is None:
            return

        def apply() -> None:
            with self.db.session() as session:
                project_watchlist(session, key, record, now_iso())

        await asyncio.to_thread(apply)

    async def on_dead_letter(self, record: DeadLetter | None, _key: str | None) -> None:
        """Keep dead letters where operators can list them."""
        assert record is not None

        def apply() -> None:
            with self.db.session() as session:
                project_dead_letter(session, record)

        await asyncio.to_thread(apply)

    # -- delivery ------------------------------------------------------------------------------

    async def publish_decided(self) -> int:
        """Put every decided alert on armswatch.alerts before any send (see decided.py)."""
        return await publish_decided(self.publisher)

    def _pending_ids(self, limit: int) -> list[str]:
        waiting = ledger.waiting()  # a channel in an outage: not before its retry time
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(AlertRow.id)
                    .where(
                        AlertRow.delivered.is_(False), AlertRow.digest == "off", AlertRow.id.not_in(waiting)
                    )
                    .order_by(AlertRow.created_at, AlertRow.id)
                    .limit(limit)
                )
            )

    def _load(self, alert_id: str) -> tuple[list[str], AlertView] | None:
        with self.db.session() as session:
            row = session.get(AlertRow, alert_id)
            if row is None or row.delivered:
                return None
            watchlist = live_watchlist(session, row.watchlist_id)
            name = watchlist["name"] if watchlist else row.watchlist_id
            view = build_view(session, row.record.copy(), name)
            return list(watchlist["notify"]) if watchlist else [], view

    def _mark_delivered(self, alert_id: str, text: str) -> None:
        with self.db.session() as session:
            row = session.get(AlertRow, alert_id)
            if row is not None:
                row.delivered = True
                row.record = {**row.record, "text": text}

    async def deliver_alert(self, alert_id: str) -> bool:
        """Publish one alert and send it to its watchlist's channels; True once every channel is settled."""
        async with self._gate:  # bounded store and broker work; waiting for a channel holds no slot
            loaded = await asyncio.to_thread(self._load, alert_id)
            if loaded is None:
                return True
            urls, view = loaded
            text = render(view, "text")
            alert_text = f"{text.title}\n\n{text.body}"
        statuses = await asyncio.gather(*(self.sender.send(alert_id, url, view) for url in urls))
        if {"busy", "deferred", "waiting"} & set(statuses):
            return False  # not settled on every channel: a later pass goes on
        async with self._gate:
            await asyncio.to_thread(self._mark_delivered, alert_id, alert_text)
        return True

    async def _guarded(self, alert_id: str) -> bool:
        try:
            return await self.deliver_alert(alert_id)
        except Exception:
            log.exception("alert delivery failed; will retry", alert_id=alert_id)
            return False

    async def dispatch_pending(self) -> int:
        """Start a delivery task for every pending alert not in delivery yet; return how many started."""
        await self.publish_decided()
        room = self.max_inflight - len(self._inflight)
        if room <= 0:
            return 0
        ids = await asyncio.to_thread(self._pending_ids, room + len(self._inflight))
        started = 0
        for alert_id in ids:
            if alert_id in self._inflight or len(self._inflight) >= self.max_inflight:
                continue
            task = asyncio.create_task(self._guarded(alert_id))
            self._inflight[alert_id] = task
            task.add_done_callback(partial(self._done, alert_id))
            started += 1
        return started

    def _done(self, alert_id: str, _task: asyncio.Task[bool]) -> None:
        self._inflight.pop(alert_id, None)
        if len(self._inflight) + 1 >= self.max_inflight:
            self.wakeup.set()

    async def deliver_pending(self) -> int:
        """Deliver every alert pending now and wait for them (tests, one-shot commands); return how many."""
        await self.dispatch_pending()
        tasks = list(self._inflight.values())
        if tasks:
            await asyncio.gather(*tasks)
        return len(tasks)

    async def deliver_digests(self) -> int:
        """Send the digests that are due now."""
        return await deliver_due_digests(self)

    async def run_delivery_loop(self, stop: asyncio.Event, idle: float = 2.0) -> None:
        """Deliver pending alerts whenever woken, and every `idle` seconds, until `stop` is set."""
        next_digest = 0.0
        digests: asyncio.Task[int] | None = None
        while not stop.is_set():
            self.wakeup.clear()
            try:
                await self.dispatch_pending()
            except Exception:
                log.exception("delivery dispatch failed")
            if time.monotonic() >= next_digest and (digests is None or digests.done()):
                next_digest = time.monotonic() + self.digest_tick
                digests = asyncio.create_task(self.deliver_digests())
            waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
            _done, rest = await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for task in rest:
                task.cancel()
        await self.close(digests)

    async def close(self, digests: asyncio.Task[int] | None = None, grace: float = 4.0) -> None:
        """Stop taking new sends, let the ones in flight finish (up to `grace` s), then cancel the rest."""
        self.sender.closing = True
        pending = [t for t in [*self._inflight.values(), digests] if t is not None and not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)


def register(app: faust.App, notifier: Notifier) -> None:
    """Add the notify consumers (events, watchlists, dead letters) to `app`."""
    publisher = notifier.publisher
    add_consumer(app, publisher, PROCUREMENT_EVENT, notifier.on_event, name="notify-events")
    add_consumer(app, publisher, WATCHLIST, notifier.on_watchlist, name="notify-watchlists", tombstones=True)
    add_consumer(app, publisher, DEAD_LETTER, notifier.on_dead_letter, name="notify-deadletters")
