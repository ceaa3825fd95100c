"""`armswatch demo`: the embedded stack on the bundled feeds, alerts printed as they arrive, then a summary."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from services.config import Settings
from services.demo.server import FeedServer
from services.ingest.parse import parse_feed
from services.notify.watchlists import build_watchlist, save_watchlist
from services.runtime import Stack, run_stack
from services.store import feeds as feedstore
from services.store.models import AlertRow, ArticleRow, Deal, EventRow, SeenItem

DEMO_WATCHLIST = "demo: every procurement event"


def _count(stack: Stack, model: type) -> int:
    with stack.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _undelivered(stack: Stack) -> int:
    with stack.db.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(AlertRow).where(AlertRow.delivered.is_(False)))
            or 0
        )


def _expected_items(server: FeedServer) -> int:
    total = 0
    for path in server.directory.iterdir():
        if path.suffix in (".rss", ".atom"):
            total += len(parse_feed(path.read_bytes(), path.name).entries)
    return total


def run_demo(settings: Settings, *, duration: float = 90.0, keep_data: bool = False) -> int:
    """Run the demo; return the exit code (0 when alerts were printed)."""
    data_dir = Path(tempfile.mkdtemp(prefix="armswatch-demo-"))
    server = FeedServer().start()
    hosts = ",".join(filter(None, [settings.allowed_hosts, "127.0.0.1"]))
    # One partition, one feed at a time, one send at a time: the same feeds print the same alerts in
    # the same order on every run (the print channel is local, so its rate limit is lifted).
    demo_settings = settings.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": None,
            "allowed_hosts": hosts,
            "poll_interval": 3600.0,
            "topic_partitions": 1,
            "poll_concurrency": 1,
            "notify_concurrency": 1,
            "notify_max_inflight": 1,
            "notify_rate_per_channel": 100.0,
        }
    )
    expected = _expected_items(server)
    summary: dict[str, float] = {}
    started = time.monotonic()
    click.echo(
        f"armswatch demo: {len(server.feed_urls())} bundled feeds ({expected} items) on 127.0.0.1:{server.port}"
    )

    async def drive(stack: Stack) -> None:
        record = build_watchlist(name=DEMO_WATCHLIST, owner="demo", notify=["print://"])
        await save_watchlist(stack.publisher, record, record["id"])
        for url in server.feed_urls():
            await asyncio.to_thread(feedstore.add_feed, stack.db, url, 3600.0)
        click.echo(f"watchlist '{DEMO_WATCHLIST}' prints its alerts here; waiting for the news...\n")
        settled_since: float | None = None
        deadline = started + duration
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            seen, articles, undelivered = await asyncio.gather(
                asyncio.to_thread(_count, stack, SeenItem),
                asyncio.to_thread(_count, stack, ArticleRow),
                asyncio.to_thread(_undelivered, stack),
            )
            done = seen >= expected and articles >= seen and undelivered == 0
            settled_since = (settled_since or time.monotonic()) if done else None
            if settled_since is not None and time.monotonic() - settled_since >= 3.0:
                break
        for name, model in (
            ("articles", ArticleRow),
            ("events", EventRow),
            ("deals", Deal),
            ("alerts", AlertRow),
        ):
            summary[name] = await asyncio.to_thread(_count, stack, model)
        stack.stop.set()

    try:
        asyncio.run(run_stack(demo_settings, ("ingest", "classify", "notify"), on_ready=drive))
    finally:
        server.stop()
        if not keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    elapsed = time.monotonic() - started
    click.echo(
        f"\ndemo: {summary.get('articles', 0):.0f} articles, {summary.get('events', 0):.0f} procurement events, "
        f"{summary.get('deals', 0):.0f} deals, {summary.get('alerts', 0):.0f} alerts in {elapsed:.1f} s"
        + (f" (data kept in {data_dir})" if keep_data else "")
    )
    return 0 if summary.get("alerts", 0) > 0 else 1
