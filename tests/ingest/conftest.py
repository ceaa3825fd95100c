"""A threaded local HTTP server (fixture ``ingest_server``) serving feeds, redirects, errors, stalls."""

from __future__ import annotations

import gzip
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

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
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="feed-server", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client as the poller makes it, ignoring proxy settings from the environment."""
    from services.ingest.fetch import new_client

    async with new_client(timeout=5.0, trust_env=False) as http:
        yield http


def read_data(name: str) -> bytes:
    """The bytes of a test feed under tests/data/feeds/."""
    return (DATA / name).read_bytes()
