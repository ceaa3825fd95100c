"""Ingest fixtures: a local HTTP server (``ingest_server``) serving feeds, redirects, errors, stalls;
the store (``store``, SQLite and PostgreSQL) and a poller over it (``harness``)."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import update

from services.bus import OutboxBus, Publisher
from services.config import Settings
from services.ingest.fetch import new_client
from services.ingest.poller import Poller
from services.records import ARTICLE
from services.store import archive
from services.store import feeds as feedstore
from services.store.db import Database
from services.store.models import Feed
from tests.support.http import serving

from .hub import websub_hub  # noqa: F401  (the fixture, for tests/ingest)

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
DEMO = Path(__file__).resolve().parents[2] / "services" / "demo" / "feeds"

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class SeenRequest:
    """One request the server received."""

    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """Routes by path; every request is recorded; ``stop`` releases stalled handlers."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    peak: int = 0

    @property
    def host(self) -> str:
        """The ``host:port`` the server listens on."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://{self.host}{path}"

    def feed(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml",
        etag: str | None = None,
        last_modified: str | None = None,
        gzipped: bool = False,
    ) -> None:
        """Serve ``body`` at ``path``, answering 304 to a matching conditional GET."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            if (etag and request.headers.get("If-None-Match") == etag) or (
                last_modified and request.headers.get("If-Modified-Since") == last_modified
            ):
                request.send_response(304)
                if etag:
                    request.send_header("ETag", etag)
                request.end_headers()
                return
            payload = gzip.compress(body) if gzipped else body
            request.send_response(200)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(payload)))
            if gzipped:
                request.send_header("Content-Encoding", "gzip")
            if etag:
                request.send_header("ETag", etag)
            if last_modified:
                request.send_header("Last-Modified", last_modified)
            request.end_headers()
            request.wfile.write(payload)

        self.routes[path] = handle

    def redirect(self, path: str, status: int, target: str) -> None:
        """Answer ``path`` with a redirect to ``target`` (a path or a URL)."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            request.send_header("Location", target)
            request.send_header("Content-Length", "0")
            request.end_headers()

        self.routes[path] = handle

    def status(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer ``path`` with a bare status and the given headers."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.send_header("Content-Length", "0")
            request.end_headers()

        self.routes[path] = handle

    def huge(self, path: str, size: int, *, declare_length: bool) -> None:
        """Stream ``size`` bytes of a feed-looking body, with or without Content-Length."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            if declare_length:
                request.send_header("Content-Length", str(size))
            request.end_headers()
            chunk = b"<!-- padding -->" * 4096
            sent = 0
            try:
                while sent < size and not self.stop.is_set():
                    piece = chunk[: size - sent]
                    request.wfile.write(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = handle

    def stall(self, path: str, *, before_headers: bool, seconds: float = 10.0) -> None:
        """Hang for ``seconds`` before the status line, or after the headers."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            if before_headers:
                self.stop.wait(seconds)
                return
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.end_headers()
            request.wfile.write(b"<?xml version='1.0'?><rss version='2.0'>")
            request.wfile.flush()
            self.stop.wait(seconds)

        self.routes[path] = handle

    def slow(self, path: str, body: bytes, *, seconds: float) -> None:
        """Serve ``body`` after ``seconds``, counting requests in progress (``active``, ``peak``)."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            try:
                self.stop.wait(seconds)
                request.send_response(200)
                request.send_header("Content-Type", "application/rss+xml")
                request.send_header("Content-Length", str(len(body)))
                request.end_headers()
                request.wfile.write(body)
            finally:
                with self.lock:
                    self.active -= 1

        self.routes[path] = handle

    def drip(self, path: str, *, interval: float, count: int = 1000) -> None:
        """Send one byte every ``interval`` seconds: never idle long enough to trip a read timeout."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.end_headers()
            try:
                for _ in range(count):
                    if self.stop.wait(interval):
                        return
                    request.wfile.write(b" ")
                    request.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = handle


def _handler_class(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            server.requests.append(SeenRequest(path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(path)
            if route is None:
                self.send_error(404)
                return
            route(self)

        def log_message(self, format: str, *args: object) -> None:
            return

    return _Handler


@pytest.fixture
def ingest_server() -> Iterator[FeedServer]:
    """A fresh local HTTP server on a free loopback port, stopped after the test."""
    server = FeedServer()
    with serving(_handler_class(server), server.stop, "feed-server") as port:
        server.port = port
        yield server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client as the poller makes it, ignoring proxy settings from the environment."""
    async with new_client(timeout=5.0, trust_env=False) as http:
        yield http


def read_data(name: str) -> bytes:
    """The bytes of a test feed under tests/data/feeds/."""
    return (DATA / name).read_bytes()


@pytest.fixture
def store(database_url: str) -> Iterator[Database]:
    """The SQL store, migrated, on SQLite and on PostgreSQL."""
    db = Database(database_url)
    try:
        yield db
    finally:
        db.close()


@dataclass
class Harness:
    """A poller over a real store with an outbox publisher; articles land in the event_log archive."""

    poller: Poller
    db: Database
    settings: Settings

    def add(self, url: str, *, interval: float = 900.0, **kwargs: Any) -> int:
        """Add a feed, due now."""
        return feedstore.add_feed(self.db, url, interval, **kwargs)

    async def round(self) -> None:
        """Poll every due feed once and write the outcomes."""
        tasks = await self.poller.tick()
        await asyncio.gather(*tasks)
        await self.poller.flush()
        if self.poller.background:
            await asyncio.wait(list(self.poller.background), timeout=30)

    def due_now(self, feed_id: int | None = None) -> None:
        """Make one feed (or all) due again."""
        with self.db.session() as session:
            query = update(Feed).values(next_due_at=datetime.now(UTC) - timedelta(seconds=1))
            if feed_id is not None:
                query = query.where(Feed.id == feed_id)
            session.execute(query)

    def feed(self, feed_id: int) -> Feed:
        """The feed row as stored now."""
        row = feedstore.get_feed(self.db, feed_id)
        assert row is not None
        return row

    def articles(self) -> list[dict[str, Any]]:
        """Every Article record produced so far, in order."""
        topic = self.settings.topic(ARTICLE.topic)
        return [json.loads(r.value or b"null") for r in archive.records(self.db, {topic})]


@pytest.fixture
async def make_harness(store: Database, tmp_path: Path) -> AsyncIterator[Callable[..., Harness]]:
    """Make pollers over ``store``, allowed to reach 127.0.0.1 and localhost; settings may be overridden."""
    made: list[Harness] = []

    def make(**overrides: Any) -> Harness:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "allowed_hosts": "127.0.0.1,localhost",
            "fetch_timeout": 1.0,
            "poll_jitter": 0.0,
            **overrides,
        }
        settings = Settings(**values)
        client = new_client(timeout=settings.fetch_timeout, trust_env=False)
        made.append(
            Harness(Poller(settings, Publisher(settings, store, OutboxBus()), client=client), store, settings)
        )
        return made[-1]

    try:
        yield make
    finally:
        for harness in made:
            await harness.poller.client.aclose()


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    """A poller with the test defaults (see ``make_harness``)."""
    return make_harness()
