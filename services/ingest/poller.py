"""The ingest service's loop: claim due feeds in batches, poll them politely, produce new items as Articles.

Politeness and limits: a global and a per-host concurrency limit cover feed fetches,
full-text page fetches and hub requests alike; every URL passes the SSRF guard; the next
poll is planned adaptively (``schedule.py``). Store traffic is batched: feeds are claimed
a batch at a time and fetch outcomes written together, so 10,000 feeds cost few queries.
A fetch error is a log line and a feed status, never a crash of the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.bus import Publisher
from services.config import Settings
from services.ingest import health, websub
from services.ingest.fetch import FetchResult, fetch_feed, new_client
from services.ingest.fulltext import HTML_ACCEPT, extract_text
from services.ingest.guard import check_host_allowed
from services.ingest.parse import ParsedFeed, parse_feed
from services.ingest.produce import FullText, produce
from services.ingest.schedule import Bounds, classify_outcome, plan_next
from services.logs import get_logger
from services.netguard import AddressPolicy
from services.store import feeds as feedstore
from services.store.feeds import FeedState, Outcome

__all__ = ["Poller"]

log = get_logger("ingest")

#: Outcomes kept before they are written in one batch (they are also written every loop turn).
FLUSH_AT = 200
#: Most article pages fetched for full text in one poll of one feed.
MAX_PAGES_PER_POLL = 20
#: Seconds between two looks for WebSub leases to renew.
RENEW_EVERY = 60.0


class Poller:
    """Polls due feeds with a global and a per-host concurrency limit; see the module docstring."""

    def __init__(
        self, settings: Settings, publisher: Publisher, client: httpx.AsyncClient | None = None
    ) -> None:
        self.settings = settings
        self.publisher = publisher
        self.db = publisher.db
        self.client = client or new_client(
            timeout=settings.fetch_timeout,
            max_connections=settings.poll_concurrency,
            policy=AddressPolicy(settings.allowed_host_set),
        )
        self.gate = asyncio.Semaphore(settings.poll_concurrency)
        self.hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.poll_per_host)
        )
        self.allowed = settings.allowed_host_set
        self.bounds = Bounds(
            min_interval=settings.poll_min_interval,
            max_interval=settings.poll_max_interval,
            jitter=settings.poll_jitter,
            push_fallback=settings.websub_fallback_interval,
        )
        secret = settings.feed_alerts_notify
        self.admin_notify = health.split_urls(secret.get_secret_value() if secret else None)
        self.max_inflight = settings.poll_concurrency * 2
        self.lease = timedelta(seconds=max(60.0, settings.fetch_timeout * 4))
        self.inflight: set[int] = set()
        self.pending: list[Outcome] = []
        self.wake = asyncio.Event()
        self.background: set[asyncio.Task[None]] = set()
        self.renewing: dict[int, float] = {}
        self._renewed_at = 0.0

    # --- limits and fetching ---------------------------------------------------------------------

    async def _check(self, url: str) -> None:
        await check_host_allowed(url, self.allowed)

    @contextlib.asynccontextmanager
    async def limits(self, url: str) -> AsyncIterator[None]:
        """Hold a per-host slot, then a global one (host first: a busy host never hogs global slots)."""
        host = (urlsplit(url).hostname or "").lower()
        async with self.hosts[host], self.gate:
            yield

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """Fetch within the limits, the SSRF guard on every hop, with the configured caps and timeouts."""
        extra = {"accept": accept} if accept else {}
        async with self.limits(url):
            return await fetch_feed(
                self.client,
                url,
                etag=etag,
                last_modified=last_modified,
                max_bytes=self.settings.fetch_max_bytes,
                timeout=self.settings.fetch_timeout,
                deadline=self.settings.fetch_timeout * 3,
                check_url=self._check,
                **extra,
            )

    async def page_text(self, url: str) -> str | None:
        """The main text of an article page (full-text feeds), or None; failures are logged only."""
        result = await self.fetch(url, accept=HTML_ACCEPT)
        if result.body is None:
            log.info("full text not fetched", url=url, status=result.status, error=result.error)
            return None
        return await asyncio.to_thread(extract_text, result.body, result.final_url)

    # --- one feed ----------------------------------------------------------------------------------

    async def poll_feed(self, feed: FeedState) -> Outcome:
        """Fetch one feed, produce its new articles, and return the outcome to store (not stored yet)."""
        result = await self.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        items = produced = 0
        title = None
        parsed: ParsedFeed | None = None
        not_a_feed = False
        if result.error is None and result.status == 200 and result.body is not None:
            parsed = await asyncio.to_thread(parse_feed, result.body, result.final_url, result.content_type)
            not_a_feed = not parsed.is_feed
        if not_a_feed:
            kind_of = (result.content_type or "no content type").split(";")[0].strip()
            status = f"200 but not a feed ({kind_of})"
            parsed = None
        elif parsed is not None:
            full_text = self._limited_page_text() if feed.full_text else None
            items, produced = await produce(self.publisher, feed.id, feed.url, parsed, full_text=full_text)
            title = parsed.title if parsed.title and parsed.title != feed.title else None
            status = f"200 ok, {items} items, {produced} new" + (
                f", bozo: {parsed.bozo}" if parsed.bozo else ""
            )
        elif result.error is None and result.status == 304:
            status = "304 not modified"
        else:
            status = result.error or f"HTTP {result.status}"
        ok = result.error is None and result.status in (200, 304) and not not_a_feed
        errors = 0 if ok else feed.consecutive_errors + 1
        kind = classify_outcome(ok=ok, items=items, new=produced, first=not feed.ever_read)
        plan = plan_next(
            interval=feed.interval_s,
            current=feed.current_interval_s,
            kind=kind,
            errors=errors,
            retry_after=result.retry_after,
            pushed=feed.pushed,
            bounds=self.bounds,
        )
        if parsed is not None and parsed.hub:
            self._maybe_subscribe(feed, parsed)
        (log.info if ok else log.warning)(
            "feed polled", feed_id=feed.id, url=feed.url, status=status, new=produced, errors=errors,
            next_in=round(plan.delay),
        )  # fmt: skip
        return Outcome(
            feed_id=feed.id,
            status=status,
            ok=ok,
            errors=errors,
            next_in=plan.delay,
            current_interval_s=plan.current,
            etag=result.etag,
            last_modified=result.last_modified,
            new_url=result.final_url
            if ok and result.permanent_redirect and result.final_url != feed.url
            else None,
            title=title,
            items=produced,
        )

    def _limited_page_text(self) -> FullText:
        budget = [MAX_PAGES_PER_POLL]

        async def fetch_page(url: str) -> str | None:
            if budget[0] <= 0:
                return None
            budget[0] -= 1
            return await self.page_text(url)

        return fetch_page

    async def _guarded(self, feed: FeedState) -> None:
        try:
            outcome = await self.poll_feed(feed)
        except Exception as exc:
            log.exception("feed poll failed", feed_id=feed.id, url=feed.url)
            errors = feed.consecutive_errors + 1
            plan = plan_next(
                interval=feed.interval_s, current=feed.current_interval_s, kind="error", errors=errors,
                bounds=self.bounds,
            )  # fmt: skip
            outcome = Outcome(
                feed_id=feed.id,
                status=f"error: {type(exc).__name__}: {exc}"[:200],
                ok=False,
                errors=errors,
                next_in=plan.delay,
                current_interval_s=plan.current,
            )
        finally:
            self.inflight.discard(feed.id)
            if len(self.inflight) <= self.max_inflight // 2:
                self.wake.set()
        self.pending.append(outcome)
        self._check_health(feed, outcome)

    # --- feed health --------------------------------------------------------------------------------

    def _check_health(self, feed: FeedState, outcome: Outcome) -> None:
        change = health.transition(
            errors=outcome.errors,
            threshold=self.settings.feed_error_threshold,
            notified=feed.broken_notified,
        )
        if change is None:
            return
        notice = health.notice_for(
            change, feed_id=feed.id, url=feed.url, status=outcome.status, errors=outcome.errors
        )
        log.warning(
            "feed health changed", feed_id=feed.id, url=feed.url, change=change, errors=outcome.errors
        )
        self._spawn(self._notify(notice, [*feed.notify, *self.admin_notify]))

    async def _notify(self, notice: health.Notice, urls: list[str]) -> None:
        await asyncio.to_thread(feedstore.mark_notified, self.db, notice.feed_id, notice.change == "broken")
        if urls:
            await health.send_notice(notice, urls, AddressPolicy(self.allowed))
        else:
            log.warning(
                "no channel for feed health notices: set ARMSWATCH_FEED_ALERTS_NOTIFY", feed_id=notice.feed_id
            )

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    # --- WebSub ---------------------------------------------------------------------------------------

    def _maybe_subscribe(self, feed: FeedState, parsed: ParsedFeed) -> None:
        if not self.settings.websub_callback_url or parsed.hub is None:
            return
        if feed.websub_state in ("active", "denied") and feed.websub_hub == parsed.hub:
            return
        self._spawn(self.subscribe(feed.id, parsed.hub, parsed.self_url or feed.url))

    async def subscribe(self, feed_id: int, hub: str, topic: str) -> str | None:
        """Ask ``hub`` to push ``topic`` to our callback; return None when the hub accepted the request."""
        base = self.settings.websub_callback_url
        if not base:
            return "websub: ARMSWATCH_WEBSUB_CALLBACK_URL is not set"
        secret = await asyncio.to_thread(
            feedstore.websub_pending, self.db, feed_id, hub=hub, topic=topic, secret=websub.new_secret()
        )
        async with self.limits(hub):
            error = await websub.subscribe(
                self.client,
                hub,
                topic=topic,
                callback=websub.callback_url(base, feed_id),
                secret=secret,
                lease_seconds=self.settings.websub_lease,
                timeout=self.settings.fetch_timeout,
                check_url=self._check,
            )
        log.info("websub subscription requested", feed_id=feed_id, hub=hub, topic=topic, error=error)
        return error

    async def renew_leases(self) -> int:
        """Re-subscribe the pushed feeds whose lease ends soon (a fifth of the lease, at most a day, ahead)."""
        margin = max(60.0, min(86400.0, self.settings.websub_lease / 5))
        soon = datetime.now(UTC) + timedelta(seconds=margin)
        due = await asyncio.to_thread(feedstore.websub_expiring, self.db, soon)
        now = time.monotonic()
        started = 0
        for feed in due:
            if feed.websub_hub is None or now - self.renewing.get(feed.id, -1e9) < margin / 2:
                continue
            self.renewing[feed.id] = now
            self._spawn(self.subscribe(feed.id, feed.websub_hub, feed.websub_topic or feed.url))
            started += 1
        return started

    # --- the loop -------------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write the outcomes gathered so far, in one transaction."""
        batch, self.pending = self.pending, []
        if batch:
            await asyncio.to_thread(feedstore.record_fetches, self.db, batch)

    async def tick(self) -> list[asyncio.Task[None]]:
        """Claim due feeds up to the in-flight limit and start polling them."""
        room = self.max_inflight - len(self.inflight)
        if room <= 0:
            return []
        due = await asyncio.to_thread(feedstore.claim_due, self.db, datetime.now(UTC), room, self.lease)
        tasks = []
        for feed in due:
            if feed.id in self.inflight:
                continue
            self.inflight.add(feed.id)
            tasks.append(asyncio.create_task(self._guarded(feed)))
        return tasks

    async def _turn(self, running: set[asyncio.Task[None]]) -> bool:
        """One loop turn; True when the claim was full (more feeds may be due right now)."""
        room = self.max_inflight - len(self.inflight)
        tasks = await self.tick()
        for task in tasks:
            running.add(task)
            task.add_done_callback(running.discard)
        if len(self.pending) >= FLUSH_AT or not tasks:
            await self.flush()
        if time.monotonic() - self._renewed_at >= RENEW_EVERY:
            self._renewed_at = time.monotonic()
            await self.renew_leases()
        return room > 0 and len(tasks) >= room

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a failing turn (the store away) is logged and retried."""
        running: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                self.wake.clear()
                backlog = False
                try:
                    backlog = await self._turn(running)
                except Exception:
                    log.exception("ingest loop turn failed; retrying")
                waiters = [asyncio.ensure_future(stop.wait())]
                if backlog:
                    waiters.append(asyncio.ensure_future(self.wake.wait()))
                _, unfinished = await asyncio.wait(
                    waiters, timeout=self.settings.poll_tick, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in unfinished:
                    waiter.cancel()
        finally:
            await self._shutdown(running)

    async def _shutdown(self, running: set[asyncio.Task[None]]) -> None:
        if running:  # polls in flight finish (their articles produced and remembered), within the bound
            await asyncio.wait(list(running), timeout=self.settings.shutdown_timeout)
        for task in list(running):
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.flush()
        if self.background:
            await asyncio.wait(list(self.background), timeout=5.0)
        await self.client.aclose()
