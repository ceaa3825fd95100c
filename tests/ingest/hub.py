"""A small WebSub hub for the tests: takes subscriptions, verifies intent on the callback, pushes signed content.

It follows the W3C WebSub recommendation's hub side: answer 202 to a subscription
request, then GET the callback with ``hub.challenge`` and count the subscription only
when the subscriber echoes it; a publish POSTs the content to every verified callback of
the topic with ``X-Hub-Signature: sha256=HMAC(secret, body)``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import pytest


@dataclass
class Subscription:
    """One subscription request and whether the subscriber confirmed it."""

    topic: str
    callback: str
    secret: str
    lease: int
    verified: threading.Event = field(default_factory=threading.Event)
    refused: bool = False


@dataclass
class Hub:
    """The hub's state: every subscription request, newest last."""

    port: int = 0
    requests: list[Subscription] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The hub URL feeds advertise."""
        return f"http://127.0.0.1:{self.port}/hub"

    def verify(self, sub: Subscription) -> None:
        """Verification of intent: GET the callback with a challenge, expect it echoed."""
        challenge = secrets.token_urlsafe(16)
        query = urlencode(
            {
                "hub.mode": "subscribe",
                "hub.topic": sub.topic,
                "hub.challenge": challenge,
                "hub.lease_seconds": sub.lease,
            }
        )
        try:
            with urllib.request.urlopen(f"{sub.callback}?{query}", timeout=5) as answer:
                ok = answer.status == 200 and answer.read().decode() == challenge
        except urllib.error.URLError:
            ok = False
        sub.refused = not ok
        sub.verified.set()

    def publish(self, topic: str, body: bytes, *, sign_with: str | None = None, signed: bool = True) -> int:
        """Push ``body`` to the latest verified subscription of ``topic``; return the callback's status."""
        sub = next(s for s in reversed(self.requests) if s.topic == topic and not s.refused)
        return push(sub.callback, body, sign_with or sub.secret if signed else None)


def push(callback: str, body: bytes, secret: str | None) -> int:
    """POST ``body`` to a callback, signed with ``secret`` when given; return the HTTP status."""
    request = urllib.request.Request(callback, data=body, method="POST")
    request.add_header("Content-Type", "application/atom+xml")
    if secret is not None:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request.add_header("X-Hub-Signature", f"sha256={digest}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if form.get("hub.mode") != "subscribe" or not form.get("hub.callback"):
                self.send_response(400)
                self.end_headers()
                return
            sub = Subscription(
                form["hub.topic"], form["hub.callback"], form.get("hub.secret", ""),
                int(form.get("hub.lease_seconds") or 3600),
            )  # fmt: skip
            hub.requests.append(sub)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            threading.Thread(target=hub.verify, args=(sub,), daemon=True).start()

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def websub_hub() -> Iterator[Hub]:
    """The test hub on a free loopback port."""
    hub = Hub()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    httpd.daemon_threads = True
    hub.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        httpd.shutdown()
        httpd.server_close()
