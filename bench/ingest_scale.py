"""Benchmark: armswatch's poller over 10,000 generated feeds on a local server, two rounds, against feedparser.

A child process serves N distinct RSS feeds (a few items each, with ETags) on loopback
addresses 127.0.0.1..127.0.0.H (H "hosts", so the per-host limit means what it does in
the wild). The real poller (``services.ingest.poller.Poller``: SSRF guard, limits,
adaptive schedule, SQL store, Article records through the Publisher into the event_log
outbox) polls them all, then again after every feed is made due once more: the second
round is mostly 304, with 5% of the feeds changed. Printed: feeds/s per round, articles,
peak RSS of this process, and the ratio to a naive sequential ``feedparser.parse(url)``
loop over the same URLs, measured in the same run (after the rounds, so RSS is ours).

    python bench/ingest_scale.py [--feeds 10000] [--items 3] [--hosts 16] [--baseline 10000]

Goal (issue 4): >= 11 feeds/s sustained with <= 300 MB RSS on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_FEEDS_PER_S = 11.0
GOAL_RSS_MB = 300.0
CHANGED_EVERY = 20  # round 2: one feed in 20 has a new item


# --- the feed server (child process) -------------------------------------------------------------


def _feed(n: int, items: int, version: int) -> bytes:
    first = version - 1
    entries = "".join(
        f"<item><title>Feed {n} story {k}: ministry weighs order of armoured vehicles</title>"
        f"<link>https://outlet{n % 997}.example.org/{n}/story-{k}?utm_source=rss</link>"
        f"<guid isPermaLink='false'>feed-{n}-story-{k}</guid>"
        f"<pubDate>Fri, 08 Mar 2024 {k % 24:02d}:00:00 GMT</pubDate>"
        f"<description>Story {k} of feed {n}: the defence ministry is said to consider buying new "
        f"armoured vehicles, officials told reporters on Friday.</description></item>"
        for k in range(first, first + items)
    )
    lang = "<language>en</language>" if n % 2 else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Bench feed {n}</title><link>https://outlet{n % 997}.example.org/</link>{lang}"
        f"{entries}</channel></rss>"
    ).encode()


async def _serve(port: int, hosts: int, items: int) -> None:
    state = {"round": 1}

    def version(n: int) -> int:
        return 2 if state["round"] >= 2 and n % CHANGED_EVERY == 0 else 1

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                close = headers.get("connection", "").lower() == "close"
                status, extra, body = _route(path, headers, state, version, items)
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
                    f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    addresses = [f"127.0.0.{h}" for h in range(1, hosts + 1)]
    server = await asyncio.start_server(answer, addresses, port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _route(path: str, headers: dict[str, str], state: dict[str, int], version, items: int):  # type: ignore[no-untyped-def]
    if path.startswith("/round/"):
        state["round"] = int(path.rsplit("/", 1)[1])
        return "200 OK", "", b"ok"
    if not path.startswith("/feed/"):
        return "404 Not Found", "", b""
    n = int(path.rsplit("/", 1)[1].removesuffix(".xml"))
    v = version(n)
    etag = f'"{n}-v{v}"'
    if headers.get("if-none-match") == etag:
        return "304 Not Modified", f"ETag: {etag}\r\n", b""
    return "200 OK", f"Content-Type: application/rss+xml\r\nETag: {etag}\r\n", _feed(n, items, v)


# --- the measuring side --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _urls(port: int, feeds: int, hosts: int) -> list[str]:
    return [f"http://127.0.0.{1 + n % hosts}:{port}/feed/{n}.xml" for n in range(feeds)]


async def _round(poller, db, total: int, since: datetime, timeout: float) -> float:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from services.store.models import Feed

    stop = asyncio.Event()
    started = time.perf_counter()
    runner = asyncio.create_task(poller.run(stop))
    done = 0
    while done < total and time.perf_counter() - started < timeout:
        await asyncio.sleep(0.25)

        def count() -> int:
            with db.session() as session:
                return int(session.scalar(select(func.count()).where(Feed.last_fetch_at >= since)) or 0)

        done = await asyncio.to_thread(count)
    elapsed = time.perf_counter() - started
    stop.set()
    await runner
    if done < total:
        print(f"  round timed out: {done}/{total} feeds polled", flush=True)
    return elapsed


async def _armswatch(
    args: argparse.Namespace, port: int, urls: list[str], data_dir: Path
) -> dict[str, float]:
    from sqlalchemy import func, select, update

    from services.bus import OutboxBus, Publisher
    from services.config import Settings
    from services.ingest.poller import Poller
    from services.logs import configure_logging
    from services.store import feeds as feedstore
    from services.store.db import Database
    from services.store.models import EventLog, Feed

    settings = Settings(
        data_dir=data_dir,
        allowed_hosts=",".join(f"127.0.0.{h}" for h in range(1, args.hosts + 1)),
        poll_concurrency=args.concurrency,
        poll_per_host=args.per_host,
        poll_tick=0.2,
        log_level="warning",
    )
    configure_logging(settings.log_level)
    db = Database(settings.effective_database_url)
    feedstore.add_feeds(db, ((u, None) for u in urls), 900.0)
    publisher = Publisher(settings, db, OutboxBus())
    figures: dict[str, float] = {}
    for number in (1, 2):
        if number == 2:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/round/2").read()
            with db.session() as session:
                session.execute(update(Feed).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1)))
        since = datetime.now(UTC)
        poller = Poller(settings, publisher)
        elapsed = await _round(poller, db, len(urls), since, args.timeout)
        with db.session() as session:
            articles = session.scalar(select(func.count()).select_from(EventLog)) or 0
            not_modified = session.scalar(select(func.count()).where(Feed.last_status == "304 not modified"))
            errors = session.scalar(select(func.count()).where(Feed.consecutive_errors > 0))
        figures[f"round{number}_s"] = elapsed
        figures[f"round{number}_fps"] = len(urls) / elapsed
        print(
            f"round {number}: {len(urls)} feeds in {elapsed:.1f} s = {len(urls) / elapsed:.1f} feeds/s; "
            f"articles so far {articles}; 304s {not_modified}; feeds in error {errors}; "
            f"peak RSS so far {_rss_mb():.0f} MB",
            flush=True,
        )
    figures["rss_mb"] = _rss_mb()
    db.close()
    return figures


def _baseline(urls: list[str]) -> float:
    import feedparser

    started = time.perf_counter()
    for url in urls:
        feedparser.parse(url)
    return len(urls) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=3, help="items per feed")
    ap.add_argument("--hosts", type=int, default=16, help="loopback addresses the feeds are spread over")
    ap.add_argument("--concurrency", type=int, default=32, help="poll_concurrency")
    ap.add_argument("--per-host", type=int, default=2, help="poll_per_host")
    ap.add_argument("--baseline", type=int, default=None, help="feeds in the naive loop (default: all)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per round")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve is not None:
        asyncio.run(_serve(args.serve, args.hosts, args.items))
        return
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            "--hosts",
            str(args.hosts),
            "--items",
            str(args.items),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        urls = _urls(port, args.feeds, args.hosts)
        print(
            f"ingest_scale: {args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts, "
            f"concurrency {args.concurrency}, per host {args.per_host}, SQLite store, outbox publisher",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="armswatch-bench-") as tmp:
            figures = asyncio.run(_armswatch(args, port, urls, Path(tmp)))
        sample = urls[: args.baseline or len(urls)]
        naive = _baseline(sample)
    finally:
        server.terminate()
        server.wait(timeout=10)
    sustained = min(figures["round1_fps"], figures["round2_fps"])
    print(f"baseline: sequential feedparser.parse(url) over {len(sample)} feeds = {naive:.1f} feeds/s")
    print(
        f"ratio to baseline: round 1 x{figures['round1_fps'] / naive:.2f}, round 2 x{figures['round2_fps'] / naive:.2f}"
    )
    print(f"peak RSS (armswatch rounds): {figures['rss_mb']:.0f} MB")
    met = sustained >= GOAL_FEEDS_PER_S and figures["rss_mb"] <= GOAL_RSS_MB
    print(
        f"goal >= {GOAL_FEEDS_PER_S:.0f} feeds/s with <= {GOAL_RSS_MB:.0f} MB: "
        f"{'met' if met else 'NOT met'} ({sustained:.1f} feeds/s, {figures['rss_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
