"""Feed health: a 'feed broken' notice once after N failures, one 'recovered' notice, by real email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.ingest.health import split_urls, transition

from .conftest import FeedServer, Harness, read_data


@pytest.mark.parametrize(
    ("errors", "notified", "change"),
    [(0, False, None), (2, False, None), (3, False, "broken"), (4, True, None), (0, True, "recovered")],
)
def test_transition(errors: int, notified: bool, change: str | None) -> None:
    """With a threshold of 3: broken once on reaching it, recovered once after a notice."""
    assert transition(errors=errors, threshold=3, notified=notified) == change


def test_split_urls() -> None:
    """The setting takes comma- or space-separated URLs."""
    assert split_urls("mailto://a@b, json://h/x  tgram://t/c") == [
        "mailto://a@b",
        "json://h/x",
        "tgram://t/c",
    ]
    assert split_urls(None) == []


async def test_broken_then_recovered_notices(
    ingest_server: FeedServer, make_harness: Callable[..., Harness], smtp_server: Any
) -> None:
    """Three failures send one 'broken' email to owner and admin; more failures none; a success one 'recovered'."""
    admin = smtp_server.mailto_url(to="admin@example.org")
    owner = smtp_server.mailto_url(to="owner@example.org")
    harness = make_harness(feed_error_threshold=3, feed_alerts_notify=admin)
    feed_id = harness.add(ingest_server.url("/gone.rss"), notify=[owner])
    for _ in range(5):
        await harness.round()
        harness.due_now()
    messages = smtp_server.wait_for(2)
    assert harness.feed(feed_id).consecutive_errors == 5
    assert sorted(r for e in smtp_server.envelopes for r in e.rcpt_tos) == [
        "admin@example.org",
        "owner@example.org",
    ]
    assert all(m["Subject"] == f"armswatch: feed {feed_id} is broken" for m in messages)
    assert "HTTP 404" in messages[0].get_body().get_content()
    ingest_server.feed("/gone.rss", read_data("dup-a.rss"))
    await harness.round()
    recovered = smtp_server.wait_for(4)[2:]
    assert {m["Subject"] for m in recovered} == {f"armswatch: feed {feed_id} recovered"}
    assert harness.feed(feed_id).broken_notified_at is None
    harness.due_now()
    await harness.round()
    assert len(smtp_server.messages) == 4


def test_alert_channels_are_secret_in_config_show() -> None:
    """ARMSWATCH_FEED_ALERTS_NOTIFY holds tokens: `config show` prints it redacted."""
    from services.config import describe, load_settings

    settings = load_settings(feed_alerts_notify="slack://TokenA/TokenB/TokenC")
    shown = {name: value for name, value, _ in describe(settings)}
    assert "Token" not in shown["ARMSWATCH_FEED_ALERTS_NOTIFY"] and shown["ARMSWATCH_FEED_ALERTS_NOTIFY"]
