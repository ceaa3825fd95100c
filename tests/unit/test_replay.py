"""`armswatch replay`: re-classification finds what the store lacks; a watchlist replays once per deal and stage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.classify.agent import to_events
from services.classify.backends.rules import RulesClassifier
from services.ingest.adapter import to_article
from services.ingest.parse import parse_feed
from services.notify.watchlists import build_watchlist
from services.records import now_iso
from services.store.db import Database
from services.store.models import AlertRow, EventRow
from services.store.readmodel import project_article, project_event, project_watchlist
from tests.support.stack import armswatch_env, count_rows, run_cli

FEED = Path(__file__).resolve().parents[2] / "services" / "demo" / "feeds" / "en-defence-desk.rss"


@pytest.fixture
def store(tmp_path):
    """A store holding the demo feed's articles and events, and a Kazakhstan watchlist."""
    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    parsed = parse_feed(FEED.read_bytes(), "http://127.0.0.1/feed.rss")
    fetched = datetime(2026, 11, 1, tzinfo=UTC)
    watchlist = build_watchlist(name="KZ", owner="admin", buyers=["KZ"])
    with db.session() as session:
        project_watchlist(session, watchlist["id"], watchlist, now_iso())
        for entry in parsed.entries:
            article = to_article(entry, parsed, feed_url="http://127.0.0.1/feed.rss", fetched_at=fetched)
            assert article is not None
            project_article(session, article)
            for event in to_events(article, RulesClassifier(), detected_at=article["fetched_at"]):
                project_event(session, event)
    db.close()
    return tmp_path, watchlist["id"]


def test_reclassify_with_the_same_classifier_finds_nothing_new(store):
    """Every event of the same classifier version is stored already."""
    data_dir, _ = store
    result = run_cli(armswatch_env(data_dir=str(data_dir)), "replay", "--reclassify")
    assert result.returncode == 0, result.stderr
    events = count_rows(f"sqlite:///{data_dir / 'armswatch.db'}", EventRow)
    assert f"→ {events} events, 0 not stored yet" in result.stdout
    assert "dry run" in result.stdout


def test_watchlist_replay_alerts_once(store):
    """A dry run lists the alert; --deliver creates it once; a second --deliver creates none."""
    data_dir, wid = store
    env = armswatch_env(data_dir=str(data_dir))
    dry = run_cli(env, "replay", "--watchlist", wid, "--since", "2026-01-01")
    assert dry.returncode == 0, dry.stderr
    assert "Kazakhstan" in dry.stdout and f"watchlist {wid} would alert 1 times" in dry.stdout
    url = f"sqlite:///{data_dir / 'armswatch.db'}"
    assert count_rows(url, AlertRow) == 0
    assert "1 alerts created" in run_cli(env, "replay", "--watchlist", wid, "--deliver").stdout
    assert "0 alerts created" in run_cli(env, "replay", "--watchlist", wid, "--deliver").stdout
    assert count_rows(url, AlertRow) == 1
    assert "would alert 0 times" in run_cli(env, "replay", "--watchlist", wid, "--since", "2027-01-01").stdout


def test_replay_needs_something_to_replay(tmp_path):
    """No option is a usage error."""
    result = run_cli(armswatch_env(data_dir=str(tmp_path)), "replay")
    assert result.returncode == 2 and "--reclassify" in result.stderr
