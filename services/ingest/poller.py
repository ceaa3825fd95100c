"""The ingest service's loop: poll due feeds politely and produce their new items as Article records."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from services.bus import Publisher
from services.config import Settings
from services.ingest.adapter import to_article
from services.ingest.fetch import FetchResult, fetch_feed, new_client
from services.ingest.guard import check_host_allowed
from services.ingest.parse import parse_feed
from services.logs import get_logger
from services.records import ARTICLE
from services.store import feeds as feedstore
from services.store.feeds import FeedState

log = get_logger("ingest")

MAX_BACKOFF = 24 * 3600.0


def next_interval(feed: FeedState, result: FetchResult, errors: int) -> float:
    """Seconds until the next poll: the feed's interval, longer after errors, at least Retry-After."""
    base = feed.interval_s
    if result.error is not None or (result.status or 0) >= 400:
        base = min(MAX_BACKOFF, feed.interval_s * (2 ** min(errors, 8)))
    if result.retry_after:
        base = max(base, result.retry_after)
    return base * random.uniform(0.95, 1.05)


class Poller:
    """Polls due feeds with a global and a per-host concurrency limit."""

    def __init__(
        self, settings: Settings, publisher: Publisher, client: httpx.AsyncClient | None = None
    ) -> None:
        self.settings = settings
        self.publisher = publisher
        self.db = publisher.db
        self.client = client or new_client(
            timeout=settings.fetch_timeout, max_connections=settings.poll_concurrency
        )
        self.gate = asyncio.Semaphore(settings.poll_concurrency)
        self.hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.poll_per_host)
        )
        self.allowed = settings.allowed_host_set
        self.inflight: set[int] = set()

    async def _check(self, url: str) -> None:
        await check_host_allowed(url, self.allowed)

    async def poll_feed(self, feed: FeedState) -> int:
        """Fetch one feed and produce its new articles; return how many were produced."""
        host = urlsplit(feed.url).hostname or ""
        async with self.gate, self.hosts[host]:
            result = await fetch_feed(
                self.client,
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                max_bytes=self.settings.fetch_max_bytes,
                timeout=self.settings.fetch_timeout,
                deadline=self.settings.fetch_timeout * 3,
                check_url=self._check,
            )
        produced = 0
        title = None
        if result.error is None and result.status == 200 and result.body is not None:
            parsed = await asyncio.to_thread(parse_feed, result.body, result.final_url, result.content_type)
            title = parsed.title
            fetched_at = datetime.now(UTC)
            for entry in parsed.entries:
                article = to_article(entry, parsed, feed_url=feed.url, fetched_at=fetched_at)
                if article is None:
                    continue
                if not await asyncio.to_thread(feedstore.mark_seen, self.db, article["id"], feed.id):
                    continue
                try:
                    await self.publisher.publish(ARTICLE, article, key=article["id"], record_id=article["id"])
                except Exception:
                    await asyncio.to_thread(feedstore.forget_seen, self.db, article["id"])
                    raise
                produced += 1
            status = f"200 ok, {len(parsed.entries)} items, {produced} new" + (
                f", bozo: {parsed.bozo}" if parsed.bozo else ""
            )
        elif result.error is None and result.status == 304:
            status = "304 not modified"
        else:
            status = result.error or f"HTTP {result.status}"
        ok = result.error is None and result.status in (200, 304)
        errors = feed.consecutive_errors + (0 if ok else 1)
        errors = await asyncio.to_thread(
            feedstore.record_fetch,
            self.db,
            feed.id,
            status=status,
            ok=ok,
            next_in=next_interval(feed, result, errors),
            etag=result.etag,
            last_modified=result.last_modified,
            new_url=result.final_url if result.permanent_redirect else None,
            title=title,
            items=produced,
        )
        log.info("feed polled", feed_id=feed.id, url=feed.url, status=status, new=produced, errors=errors)
        return produced

    async def _guarded(self, feed: FeedState) -> None:
        try:
            await self.poll_feed(feed)
        except Exception as exc:
            log.exception("feed poll failed", feed_id=feed.id, url=feed.url)
            await asyncio.to_thread(
                feedstore.record_fetch,
                self.db,
                feed.id,
                status=f"error: {exc!r}"[:200],
                ok=False,
                next_in=feed.interval_s,
            )
        finally:
            self.inflight.discard(feed.id)

    async def tick(self) -> list[asyncio.Task[None]]:
        """Start polls for every due feed not already being polled."""
        now = datetime.now(UTC)
        due = await asyncio.to_thread(feedstore.due_feeds, self.db, now, self.settings.poll_concurrency * 4)
        tasks = []
        for feed in due:
            if feed.id in self.inflight:
                continue
            self.inflight.add(feed.id)
            lease = now + timedelta(seconds=self.settings.fetch_timeout * 4)
            await asyncio.to_thread(feedstore.postpone, self.db, feed.id, lease)
            tasks.append(asyncio.create_task(self._guarded(feed)))
        return tasks

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set."""
        running: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                for task in await self.tick():
                    running.add(task)
                    task.add_done_callback(running.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_tick)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await self.client.aclose()
