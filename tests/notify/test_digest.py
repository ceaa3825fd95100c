"""Digests: an hourly or daily watchlist's alerts are held, then sent as one message per channel per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses
from sqlalchemy import select

from services.notify import ledger
from services.notify.alerts import period_end
from services.notify.digest import deliver_due_digests
from services.notify.render.digest import DigestView, render_digest
from services.store.models import AlertRow

from .conftest import HOSTILE, SMTPServer, add_watchlist, archived, make_event, make_view

SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
SLACK_API = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


def test_period_end_is_the_next_hour_or_midnight_utc() -> None:
    """An alert at 10:20 UTC belongs to the hourly period ending 11:00 and the daily one ending at midnight."""
    at = datetime(2026, 3, 1, 10, 20, tzinfo=UTC)
    assert period_end("hourly", at) == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
    assert period_end("daily", at) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _due(store: Any) -> list[str]:
    with store.session() as session:
        return [str(d) for d in session.scalars(select(AlertRow.due_at))]


async def test_hourly_digest_sends_one_email_after_the_period_and_nothing_when_empty(
    notifier: Any, store: Any, smtp_server: SMTPServer
) -> None:
    """Three alerts of an hourly watchlist: nothing sent on the way, one email with all three once the hour is over."""
    add_watchlist(store, buyers=["KZ", "RS", "UZ"], digest="hourly", notify=[smtp_server.url()])
    assert await deliver_due_digests(notifier) == 0, "nothing is due: no email for an empty period"
    for buyer in (("Kazakhstan", "KZ"), ("Serbia", "RS"), ("Uzbekistan", "UZ")):
        await notifier.on_event(make_event(buyer=buyer), None)
    assert await notifier.deliver_pending() == 0, "digest alerts are not sent one by one"
    [due] = set(_due(store))
    end = datetime.fromisoformat(due.replace("Z", "+00:00"))
    assert await deliver_due_digests(notifier, end - timedelta(seconds=1)) == 0
    assert smtp_server.messages == []
    assert await deliver_due_digests(notifier, end) == 1
    assert await deliver_due_digests(notifier, end + timedelta(hours=5)) == 0, "a digest goes once"
    [mail] = smtp_server.messages
    assert "3 alerts (hourly digest" in str(mail["Subject"])
    text = mail.get_body(("plain",))
    assert text is not None
    body = str(text.get_content())
    for name in ("Kazakhstan", "Serbia", "Uzbekistan"):
        assert f"buyer: {name}" in body
    assert len(archived(store, "alerts")) == 3
    assert ledger.count(store, "sent") == 1 and ledger.count(store, "digest") == 3
    with store.session() as session:
        assert all(session.scalars(select(AlertRow.delivered)))


@responses.activate
async def test_daily_digest_to_slack_is_one_escaped_message(notifier: Any, store: Any) -> None:
    """A daily digest reaches Slack as one Block Kit message, hostile text escaped."""
    responses.add(responses.POST, SLACK_API, body="ok", status=200)
    add_watchlist(store, digest="daily", notify=[SLACK_URL])
    await notifier.on_event(make_event(evidence=f"Deal {HOSTILE}"), None)
    await notifier.on_event(make_event(buyer=("Serbia", "RS")), None)
    assert await deliver_due_digests(notifier, datetime.now(UTC) + timedelta(days=1, hours=1)) == 1
    [call] = responses.calls
    payload = str(call.request.body)
    assert "<script>" not in payload and "&lt;script&gt;" in payload
    assert "<!channel>" not in payload
    assert "2 alerts" in payload


@pytest.mark.parametrize("kind", ["email", "slack", "telegram", "text"])
def test_digest_rendering_escapes_and_fits(kind: str) -> None:
    """Every kind lists the alerts with hostile text neutralised; chat digests stay within their size cap."""
    views = tuple(make_view(alert_id=f"a{i}", evidence=f"{HOSTILE} #{i}") for i in range(200))
    rendered = render_digest(DigestView("d1", "ops <team>", "daily", "2026-03-02T00:00:00.000Z", views), kind)
    if kind != "text":  # plain text is shown as it is, never interpreted
        assert "<script>" not in rendered.body
    assert "200 alerts" in rendered.title
    if kind in ("slack", "telegram"):
        assert len(rendered.body) <= (3000 if kind == "slack" else 4096)
        assert "more" in rendered.body.splitlines()[-1]
    else:
        assert rendered.body.count("Kazakhstan ← Turkey") >= 200
