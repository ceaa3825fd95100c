"""Local fixtures for the notify tests: sample alerts and a real SMTP server (aiosmtpd) in a thread."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from services.notify.view import AlertView, SourceView

HOSTILE = "<script>alert(1)</script> *bold* _it_ ~strike~ & <!channel>"


def make_view(**changes: Any) -> AlertView:
    """Return a realistic alert (Kazakhstan buys TB2 from Turkey), with fields replaced by changes."""
    base: dict[str, Any] = {
        "alert_id": "al-1",
        "watchlist_name": "Central Asia drones",
        "deal_key": "kz-tr-tb2",
        "buyer": "Kazakhstan",
        "buyer_iso": "KZ",
        "seller": "Turkey",
        "seller_iso": "TR",
        "system": "Bayraktar TB2",
        "category": "uav",
        "quantity": 24,
        "quantity_approx": True,
        "value": None,
        "stage": "contract",
        "previous_stage": "negotiation",
        "evidence": "Kazakhstan signed a contract for about 24 Bayraktar TB2 drones.",
        "sources": (
            SourceView("Reuters", "en", "https://reuters.example/kz-tb2?a=1&b=2", "Kazakhstan buys TB2"),
            SourceView("ТАСС", "ru", "https://tass.example/123", None),
            SourceView("Anadolu", "tr", None, "Kazakistan TB2 aldı"),
        ),
        "first_seen": "2025-03-01T10:00:00Z",
    }
    base.update(changes)
    return AlertView(**base)


@pytest.fixture
def view() -> AlertView:
    """A benign alert."""
    return make_view()


@pytest.fixture
def hostile_view() -> AlertView:
    """An alert whose evidence, headline and watchlist name carry markup and formatting characters."""
    return make_view(
        evidence=f"Deal done {HOSTILE}",
        watchlist_name="ops <team> & *friends*",
        sources=(SourceView("Evil & Co", "en", "https://evil.example/?q=<x>&r=1", HOSTILE),),
    )


@dataclass
class _Handler:
    """Accepts mail, or answers with the queued reply codes first (e.g. one 451)."""

    replies: list[str] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)
    sessions: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions += 1
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    """A running aiosmtpd server: its port, received messages and queued failure replies."""

    port: int
    handler: _Handler

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def fail_next(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies (e.g. "451 4.3.0 Try again later")."""
        self.handler.replies.extend(replies)

    def url(self, to: str = "analyst@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@armswatch.example&to={to}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A plain (no TLS, no auth) SMTP server on 127.0.0.1 for the duration of one test."""
    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SMTPServer(controller.port, handler)
    finally:
        controller.stop()
