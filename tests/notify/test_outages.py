"""Channel outages: an alert whose channel is down waits and goes out once when it returns; none lost, no storm."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import responses

from services.bus import OutboxBus, Publisher
from services.config import load_settings
from services.notify import ledger
from services.notify.agent import Notifier

from .conftest import LOCAL, SMTPServer, add_watchlist, archived, fast_deliverer, make_event

SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
SLACK_API = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
TG_URL = "tgram://123456789:AAHfyKbG6pSs1ed1xvoNvnQ2Y2MkmV5EVpk/12315544/"
TG_API = "https://api.telegram.org/bot123456789:AAHfyKbG6pSs1ed1xvoNvnQ2Y2MkmV5EVpk/sendMessage"


def _notifier(store: Any, tmp_path: Any, *, window: float = 60.0) -> Notifier:
    settings = load_settings(
        data_dir=tmp_path, allowed_hosts=LOCAL, notify_outage_retry=0.3, notify_outage_window=window
    )
    publisher = Publisher(settings, store, OutboxBus())
    return Notifier(publisher, fast_deliverer(max_attempts=2), lease=60.0)


async def _run_until(notifier: Notifier, done: Any, timeout: float) -> float:
    """Run the delivery loop until `done()`; return the seconds it took."""
    stop = asyncio.Event()
    loop = asyncio.create_task(notifier.run_delivery_loop(stop, idle=0.05))
    started = time.monotonic()
    while not done() and time.monotonic() - started < timeout:
        await asyncio.sleep(0.05)
    stop.set()
    await loop
    return time.monotonic() - started


async def test_smtp_down_for_a_while_then_back_sends_each_alert_once(
    store: Any, tmp_path: Any, smtp_server: SMTPServer
) -> None:
    """SMTP refuses every message for six tries (three rounds): the alerts wait, then arrive once each."""
    notifier = _notifier(store, tmp_path)
    add_watchlist(store, buyers=["KZ", "RS"], notify=[smtp_server.url()])
    for _ in range(6):
        smtp_server.fail_next("421 4.3.2 Service not available")
    await notifier.on_event(make_event(), None)
    await notifier.on_event(make_event(buyer=("Serbia", "RS")), None)
    took = await _run_until(notifier, lambda: len(smtp_server.messages) == 2, 20)
    assert len(smtp_server.messages) == 2, f"both alerts arrive once the server is back ({took:.1f}s)"
    assert ledger.count(store, "sent") == 2 and ledger.count(store, "failed") == 0
    outcomes = [d["outcome"] for d in archived(store, "deliveries")]
    assert outcomes.count("deferred") >= 2 and outcomes.count("sent") == 2
    assert smtp_server.handler.sessions == 8, "six refused tries, then one send each: no storm"
    assert await _run_until(notifier, lambda: False, 0.5) >= 0.5
    assert len(smtp_server.messages) == 2, "nothing sent twice"


@responses.activate
async def test_slack_500_then_200_and_telegram_429_with_retry_after(store: Any, tmp_path: Any) -> None:
    """Slack answers 500 until it recovers; Telegram 429s with Retry-After: each alert is sent once, in the end."""
    for _ in range(3):
        responses.post(SLACK_API, status=500, body="server error")
    responses.post(SLACK_API, body="ok")
    responses.post(
        TG_API, status=429, json={"ok": False, "parameters": {"retry_after": 1}}, headers={"Retry-After": "1"}
    )
    responses.post(TG_API, json={"ok": True, "result": {}})
    notifier = _notifier(store, tmp_path)
    add_watchlist(store, buyers=["KZ"], notify=[SLACK_URL, TG_URL])
    await notifier.on_event(make_event(), None)
    await _run_until(notifier, lambda: ledger.count(store, "sent") == 2, 20)
    assert ledger.count(store, "sent") == 2
    calls = [c.request.url for c in responses.calls]
    assert sum(SLACK_API in u for u in calls) == 4 and sum("api.telegram.org" in u for u in calls) == 2


async def test_a_channel_down_longer_than_the_outage_window_fails_for_good(
    store: Any, tmp_path: Any, smtp_server: SMTPServer
) -> None:
    """Past ARMSWATCH_NOTIFY_OUTAGE_WINDOW the send fails (recorded), and the alert stops being tried."""
    notifier = _notifier(store, tmp_path, window=0.5)
    add_watchlist(store, buyers=["KZ"], notify=[smtp_server.url()])
    for _ in range(50):
        smtp_server.fail_next("421 4.3.2 Service not available")
    await notifier.on_event(make_event(), None)
    await _run_until(notifier, lambda: ledger.count(store, "failed") == 1, 20)
    assert ledger.count(store, "failed") == 1 and smtp_server.messages == []
    tries = smtp_server.handler.sessions
    await _run_until(notifier, lambda: False, 1.0)
    assert smtp_server.handler.sessions == tries, "a failed send is not tried again"
