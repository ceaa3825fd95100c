"""A local HTTP server for the bundled demo feeds (a thread; stops with the demo)."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the stdlib declares it a plain class attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".rss": "application/rss+xml; charset=utf-8",
        ".atom": "application/atom+xml; charset=utf-8",
    }

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the demo prints alerts, not access logs."""


class FeedServer:
    """Serves a directory of feed files on 127.0.0.1 at a free port."""

    def __init__(self, directory: Path = FEEDS_DIR) -> None:
        self.directory = directory
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(directory)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="demo-feeds", daemon=True)

    @property
    def port(self) -> int:
        """The port served on."""
        return int(self.httpd.server_address[1])

    def feed_urls(self) -> list[str]:
        """The URL of every feed file."""
        files = sorted(p for p in self.directory.iterdir() if p.suffix in (".rss", ".atom"))
        return [f"http://127.0.0.1:{self.port}/{p.name}" for p in files]

    def start(self) -> FeedServer:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()
