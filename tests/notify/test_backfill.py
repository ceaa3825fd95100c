"""`--backfill 30d`: a new watchlist is run over the stored events of the window, once per (watchlist, deal, stage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.errors import UsageError
from services.notify.alerts import iso
from services.notify.backfill import backfill, parse_window
from services.store.models import AlertRow
from services.store.readmodel import project_event

from .conftest import SMTPServer, add_watchlist, make_event

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _store_events(store: Any, *events: dict[str, Any]) -> None:
    for event in events:
        with store.session() as session:
            project_event(session, event)


def _ago(days: float) -> str:
    return iso(NOW - timedelta(days=days))


def test_parse_window() -> None:
    """30d, 12h, 90m and 2w are windows; anything else names --backfill."""
    assert parse_window("30d") == timedelta(days=30)
    assert parse_window("12h") == timedelta(hours=12)
    assert parse_window("2w") == timedelta(weeks=2)
    with pytest.raises(UsageError, match="--backfill"):
        parse_window("thirty days")


async def test_backfill_alerts_what_the_window_would_have_sent_once(
    store: Any, notifier: Any, smtp_server: SMTPServer
) -> None:
    """Events of the last 30 days alert per stage reached; older ones and other buyers do not; a second run adds nothing."""
    _store_events(
        store,
        make_event(stage="interest", detected_at=_ago(45)),  # before the window
        make_event(stage="negotiation", detected_at=_ago(20)),
        make_event(stage="negotiation", outlet="Other", detected_at=_ago(19)),  # same stage: no second alert
        make_event(stage="interest", outlet="Late", detected_at=_ago(18)),  # earlier stage: none
        make_event(stage="contract", detected_at=_ago(2)),
        make_event(buyer=("Serbia", "RS"), stage="contract", detected_at=_ago(3)),
    )
    wl = add_watchlist(store, buyers=["Kazakhstan"], notify=[smtp_server.url()])
    created = backfill(store, wl, timedelta(days=30), now=NOW)
    assert [(a["stage"], a["previous_stage"]) for a in created] == [
        ("negotiation", "interest"),
        ("contract", "negotiation"),
    ]
    assert backfill(store, wl, timedelta(days=30), now=NOW) == []
    await notifier.deliver_pending()
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert len(subjects) == 2
    assert any("interest → negotiation" in s for s in subjects)
    assert any("negotiation → contract" in s for s in subjects)


async def test_backfill_respects_min_sources_and_the_live_alerts(store: Any, notifier: Any) -> None:
    """A stage reported by fewer outlets than --min-sources is not alerted; a stage alerted live is not alerted again."""
    wl = add_watchlist(store, buyers=["KZ"], min_sources=2)
    await notifier.on_event(make_event(stage="interest", detected_at=_ago(5)), None)
    await notifier.on_event(make_event(stage="interest", outlet="B", detected_at=_ago(4)), None)
    await notifier.on_event(make_event(stage="contract", detected_at=_ago(1)), None)
    with store.session() as session:
        assert list(session.scalars(select(AlertRow.stage))) == ["interest"]
    assert backfill(store, wl, timedelta(days=30), now=NOW) == [], (
        "interest was alerted live; contract has one outlet"
    )
