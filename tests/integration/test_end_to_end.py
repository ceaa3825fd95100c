"""Feed → Article → ProcurementEvent → Alert → Delivery → an email in a real SMTP inbox, on every broker and database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.store.models import AlertRow, ArticleRow, Deal, DealSource, EventRow, LedgerEntry, WatchlistRow
from tests.support.stack import (
    ArmswatchProcess,
    armswatch_env,
    count_rows,
    run_cli,
    settled_counts,
    wait_until,
)

DEMO_FEED = Path(__file__).resolve().parents[2] / "services" / "demo" / "feeds" / "en-defence-desk.rss"

READ_MODEL = (ArticleRow, EventRow, Deal, DealSource, AlertRow, WatchlistRow)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


# The embedded pair and the production pair run in `make test`; the crossed pairs in `make test-faults`.
@pytest.mark.parametrize(
    ("broker", "database_url"),
    [
        ("tansu", "sqlite"),
        ("kafka", "postgresql"),
        pytest.param("tansu", "postgresql", marks=pytest.mark.faults),
        pytest.param("kafka", "sqlite", marks=pytest.mark.faults),
    ],
    indirect=True,
)
def test_feed_item_reaches_the_inbox(broker, database_url, smtp_server, feed_server, tmp_path):
    """The seed story served by a local feed ends as one email naming Kazakhstan and the Bayraktar TB2."""
    feed_server.add("/defence.rss", DEMO_FEED.read_bytes())
    env = armswatch_env(
        kafka_bootstrap=broker.bootstrap,
        database_url=database_url,
        topic_namespace=f"e2e-{uuid.uuid4().hex[:8]}",
        data_dir=str(tmp_path),
        allowed_hosts="127.0.0.1",
        api_port="0",
        poll_tick="0.2",
        notify_base_delay="0.2",
    )
    added = run_cli(env, "feeds", "add", feed_server.url("/defence.rss"), "--interval", "1h")
    assert added.returncode == 0, added.stderr
    watch = run_cli(env, "watch", "add", "kazakhstan", "--buyer", "KZ", "--notify", smtp_server.mailto_url())
    assert watch.returncode == 0, watch.stderr

    stack = ArmswatchProcess(env, "up", log_file=tmp_path / "armswatch.log").start()
    try:
        messages = smtp_server.wait_for(1, timeout=90)
        wait_until(lambda: count_rows(database_url, LedgerEntry) >= 1, 30, "the delivery ledger entry")
        projected = settled_counts(database_url, READ_MODEL)
    finally:
        assert stack.stop() == 0
    mail = messages[0]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Kazakhstan" in mail["Subject"] and "Bayraktar TB2" in mail["Subject"]
    assert "interest" in text and "Turkey" in text
    assert len(smtp_server.messages) == 1, "only the Kazakhstan deal matches the watchlist"
    assert count_rows(database_url, ArticleRow) >= 6
    assert count_rows(database_url, EventRow) >= 4
    assert count_rows(database_url, AlertRow) == 1

    rebuilt = run_cli(env, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{env['ARMSWATCH_TOPIC_NAMESPACE']}.articles: {projected['articles']} applied" in rebuilt.stdout
    again = {m.__tablename__: count_rows(database_url, m) for m in READ_MODEL}
    assert again == projected, "rebuild from the topics recreates the same read model"
