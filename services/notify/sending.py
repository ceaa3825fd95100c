"""One message to one channel under the ledger: claim, send through the Deliverer, settle, record every attempt.

A process sends to one channel one message at a time (a lock per channel), so a crash leaves at
most one unsettled claim per channel: the only send a restart may repeat. The ledger settles in
the worker thread right after apprise returns, before the attempt is published, to keep that
window small; ``armswatch.deliveries`` gets every attempt with the channel redacted.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from functools import partial
from typing import Literal

from services.bus import Publisher
from services.channels import redact
from services.logs import get_logger
from services.notify import ledger
from services.notify.deliver import Attempt, Deliverer
from services.notify.render import Rendered
from services.notify.view import AlertView
from services.record_types import Delivery
from services.records import DELIVERY, now_iso

__all__ = ["SendStatus", "Sender"]

log = get_logger("notify")

#: "sent" / "failed": settled by this call; "settled": before; "busy": another notifier holds the claim;
#: "deferred": the channel kept failing with temporary errors, tried again later; "waiting": not yet time.
SendStatus = Literal["sent", "failed", "settled", "busy", "deferred", "waiting"]


class Sender:
    """Sends under the ledger, one message per channel at a time.

    Args:
        publisher: Publishes the Delivery records; its store holds the ledger.
        deliverer: Renders and sends with retries and the per-channel rate limit.
        lease: Seconds another live notifier's claim is respected (ledger.claim).

    A channel failing with temporary errors is deferred (ARMSWATCH_NOTIFY_OUTAGE_RETRY, then doubling)
    and fails for good after ARMSWATCH_NOTIFY_OUTAGE_WINDOW.
    """

    def __init__(self, publisher: Publisher, deliverer: Deliverer, lease: float = 600.0) -> None:
        self.publisher = publisher
        self.outage_window = publisher.settings.notify_outage_window
        self.outage_retry = publisher.settings.notify_outage_retry
        self.db = publisher.db
        self.deliverer = deliverer
        self.lease = lease
        #: Set on shutdown: sends not started yet are left for the next run ("busy").
        self.closing = False
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, url: str) -> asyncio.Lock:
        key = ledger.channel_hash(url)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def send(
        self, send_id: str, url: str, message: AlertView | Callable[[str], Rendered]
    ) -> SendStatus:
        """Send `message` to `url` once for `send_id` (an alert or digest id); return what happened."""
        shown = redact(url)
        async with self._lock(url):
            if self.closing:
                return "busy"
            # The claim runs on the delivery pool, not behind the store work queued on asyncio's default one.
            claim = await asyncio.get_running_loop().run_in_executor(
                self.deliverer.executor, partial(ledger.claim, self.db, send_id, url, shown, lease=self.lease)
            )
            if claim.result in ("settled", "waiting"):
                return claim.result
            if claim.result == "busy":
                log.debug("delivery claimed by another notifier", id=send_id, channel=shown)
                return "busy"
            if claim.in_doubt:
                log.warning(
                    "delivery in doubt: claim taken over from a notifier that died mid-send",
                    id=send_id,
                    channel=shown,
                    generation=claim.generation,
                )
            digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]

            final: list[str] = []

            def settle(attempt: Attempt) -> None:
                if attempt.outcome == "deferred":
                    final.append(
                        ledger.defer(
                            self.db,
                            send_id,
                            url,
                            attempt.attempt,
                            attempt.error,
                            window=self.outage_window,
                            first=self.outage_retry,
                        )
                    )
                    return
                final.append("sent" if attempt.outcome == "sent" else "failed")
                ledger.settle(self.db, send_id, url, final[-1], attempt.attempt, attempt.error)

            async def on_attempt(attempt: Attempt) -> None:
                record: Delivery = {
                    "alert_id": send_id,
                    "channel": attempt.channel,
                    "outcome": attempt.outcome,
                    "attempt": attempt.attempt,
                    "error": attempt.error,
                    "at": now_iso(),
                }
                record_id = f"{send_id}:{digest}:{claim.generation}.{claim.round}:{attempt.attempt}"
                await self.publisher.publish(DELIVERY, record, key=send_id, record_id=record_id)

            result = await self.deliverer.send(url, message, on_attempt, settle)
        done = final[-1] if final else "failed"
        outcome: SendStatus = "sent" if done == "sent" else "deferred" if done == "deferred" else "failed"
        log.info("alert delivered", id=send_id, channel=shown, outcome=outcome, attempts=result.attempt)
        return outcome
