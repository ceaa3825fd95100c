"""Channel failures through the notifier: retried once and delivered once, Retry-After honoured, no channel blocks another."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import responses

from services.notify import ledger
from services.notify.agent import Notifier
from services.store.models import LedgerEntry

from .conftest import SMTPServer, add_watchlist, archived, fast_deliverer, make_event

SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
SLACK_API = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


async def test_smtp_4xx_then_success_is_delivered_once(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """The SMTP server answers 451 once: the alert is retried, arrives once, the ledger says sent after 2 attempts."""
    smtp_server.fail_next("451 4.3.0 Try again later")
    add_watchlist(store, buyers=["KZ"], notify=[smtp_server.url()])
    await notifier.on_event(make_event(), None)
    await notifier.deliver_pending()
    await notifier.deliver_pending()
    assert len(smtp_server.messages) == 1 and smtp_server.handler.sessions == 2
    with store.session() as session:
        [entry] = session.query(LedgerEntry).all()
        assert (entry.status, entry.attempts) == ("sent", 2)
    outcomes = [(d["attempt"], d["outcome"]) for d in archived(store, "deliveries")]
    assert outcomes == [(1, "retrying"), (2, "sent")]
    assert "451" in str(archived(store, "deliveries")[0]["error"])


@responses.activate
async def test_slack_429_retry_after_is_honoured_by_the_notifier(notifier: Any, store: Any) -> None:
    """Slack answers 429 with Retry-After: 1; the notifier waits a second, then sends once more and settles."""
    responses.post(SLACK_API, status=429, body="rate_limited", headers={"Retry-After": "1"})
    responses.post(SLACK_API, body="ok")
    add_watchlist(store, notify=[SLACK_URL])
    await notifier.on_event(make_event(), None)
    started = time.monotonic()
    await notifier.deliver_pending()
    assert time.monotonic() - started >= 1.0
    assert len(responses.calls) == 2
    first, second = archived(store, "deliveries")
    assert first["outcome"] == "retrying" and "429" in first["error"]
    assert second["outcome"] == "sent"
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in str(first) + str(second)
    assert ledger.count(store, "sent") == 1


@responses.activate
async def test_a_failing_channel_does_not_block_the_others(
    publisher: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """Slack fails every time (slow retries); five alerts to email arrive at once and the failing one is deferred."""
    responses.post(SLACK_API, status=500, body="server error")
    notifier = Notifier(publisher, fast_deliverer(base_delay=0.8, max_delay=2.0, max_attempts=3), lease=60)
    add_watchlist(store, name="chat", buyers=["KZ"], notify=[SLACK_URL, smtp_server.url("chat@example.com")])
    add_watchlist(store, name="mail", notify=[smtp_server.url()])
    buyers = [("Kazakhstan", "KZ"), ("Serbia", "RS"), ("Uzbekistan", "UZ"), ("Poland", "PL"), ("Chile", "CL")]
    for buyer in buyers:
        await notifier.on_event(make_event(buyer=buyer), None)
    stop = asyncio.Event()
    loop = asyncio.create_task(notifier.run_delivery_loop(stop, idle=0.2))
    started = time.monotonic()
    while len(smtp_server.messages) < 6 and time.monotonic() - started < 10:
        await asyncio.sleep(0.05)
    emails_after = time.monotonic() - started
    assert len(smtp_server.messages) == 6, "five alerts to 'mail' and the Kazakhstan one to chat's email"
    assert emails_after < 1.0, f"email waited {emails_after:.1f}s for the failing Slack channel"
    while ledger.count(store, "deferred") < 1 and time.monotonic() - started < 15:
        await asyncio.sleep(0.05)
    stop.set()
    await loop
    assert ledger.count(store, "deferred") == 1 and ledger.count(store, "sent") == 6
    assert len(responses.calls) == 3, "bounded: max_attempts tries, then deferred, not hammered"
