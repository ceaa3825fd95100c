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

#: The test servers' address, allowed past the SSRF guard.
LOCAL = "127.0.0.1"
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


# -- the notifier over a real SQLite store, publishing into the archive (no broker needed) ----

_EVENT_SEQ = iter(range(1, 1_000_000))


def make_event(
    *,
    stage: str = "interest",
    outlet: str = "Reuters",
    language: str = "en",
    buyer: tuple[str, str] = ("Kazakhstan", "KZ"),
    seller: tuple[str, str] | None = ("Turkey", "TR"),
    system: str | None = "Bayraktar TB2",
    category: str = "uav",
    quantity: int | None = None,
    evidence: str | None = None,
    title: str | None = None,
    detected_at: str = "2026-01-05T10:00:00.000Z",
    deal_key: str | None = None,
) -> dict[str, Any]:
    """A ProcurementEvent record as the classifier produces it, with a fresh id."""
    n = next(_EVENT_SEQ)
    key = (
        deal_key
        or f"{buyer[1]}:{(system or category).lower().replace(' ', '')}:{seller[1] if seller else ''}"
    )
    return {
        "id": f"{n:032x}",
        "article_id": f"{n + 500_000:032x}",
        "classifier_version": "rules-test",
        "buyer": buyer[0],
        "buyer_iso": buyer[1],
        "seller": seller[0] if seller else None,
        "seller_iso": seller[1] if seller else None,
        "system": system,
        "category": category,
        "quantity": quantity,
        "quantity_approx": False,
        "stage": stage,
        "value": None,
        "evidence": evidence or f"{buyer[0]} {stage} {system or category} (report {n}).",
        "confidence": 0.9,
        "deal_key": key,
        "detected_at": detected_at,
        "source": outlet,
        "language": language,
        "article_url": f"https://{outlet.lower().replace(' ', '-')}.example/{n}",
        "article_title": title or f"{buyer[0]}: {system or category}",
        "published_at": None,
    }


@pytest.fixture
def store(database_url: str) -> Iterator[Any]:
    """A migrated store, once on SQLite and once on PostgreSQL."""
    from services.store.db import Database

    db = Database(database_url)
    yield db
    db.close()


@pytest.fixture
def publisher(store: Any, tmp_path: Any) -> Any:
    """A publisher that validates and archives every record in the store (the outbox: no broker)."""
    from services.bus import OutboxBus, Publisher
    from services.config import load_settings

    return Publisher(load_settings(data_dir=tmp_path, allowed_hosts=LOCAL), store, OutboxBus())


def fast_deliverer(**kwargs: Any) -> Any:
    """A deliverer with tiny delays and no rate limit, allowed to reach the local SMTP server."""
    from services.netguard import AddressPolicy
    from services.notify.deliver import Deliverer

    settings: dict[str, Any] = {
        "base_delay": 0.01,
        "max_delay": 0.05,
        "rate_per_channel": 0,
        "policy": AddressPolicy(frozenset({LOCAL})),
    }
    settings.update(kwargs)
    return Deliverer(**settings)


@pytest.fixture
def notifier(publisher: Any) -> Any:
    """A notifier over the test store with a fast deliverer."""
    from services.notify.agent import Notifier

    return Notifier(publisher, fast_deliverer(), lease=60.0)


def add_watchlist(store: Any, **fields: Any) -> dict[str, Any]:
    """Build a watchlist from CLI-like fields and put it in the read model."""
    from services.notify.watchlists import build_watchlist
    from services.records import now_iso
    from services.store.readmodel import project_watchlist

    fields.setdefault("name", "test watchlist")
    fields.setdefault("owner", "admin")
    record = build_watchlist(**fields)
    with store.session() as session:
        project_watchlist(session, record["id"], record, now_iso())
    return record


def archived(store: Any, topic: str) -> list[dict[str, Any]]:
    """Every record archived for a topic (short name: "deliveries"), decoded."""
    import json

    from services.store import archive

    return [
        json.loads(r.value) for r in archive.records(store, {f"armswatch.{topic}"}) if r.value is not None
    ]
