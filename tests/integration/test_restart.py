"""Killing the embedded stack and starting it again loses nothing and sends nothing twice (the event_log archive)."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.store.models import AlertRow, ArticleRow, EventLog, EventRow, LedgerEntry
from tests.support.stack import (
    ArmswatchProcess,
    armswatch_env,
    count_rows,
    pid_alive,
    run_cli,
    settled_counts,
    wait_until,
)

DEMO_FEED = Path(__file__).resolve().parents[2] / "services" / "demo" / "feeds" / "en-defence-desk.rss"

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.faults]


MODELS = (ArticleRow, EventRow, AlertRow, LedgerEntry, EventLog)


def _counts(url: str) -> dict[str, int]:
    return {m.__tablename__: count_rows(url, m) for m in MODELS}


async def _topic_size(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        total = 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000)
            if not batch:
                break
            total += sum(len(v) for v in batch.values())
        return total
    finally:
        await consumer.stop()


def test_killed_embedded_stack_restarts_with_everything(database_url, smtp_server, feed_server, tmp_path):
    """SIGKILL `armswatch up`, start it again: same articles, events and alerts, the broker refilled, no second email."""
    feed_server.add("/defence.rss", DEMO_FEED.read_bytes())
    env = armswatch_env(
        database_url=database_url,
        data_dir=str(tmp_path),
        allowed_hosts="127.0.0.1",
        api_port="0",
        poll_tick="0.2",
    )
    assert run_cli(env, "feeds", "add", feed_server.url("/defence.rss")).returncode == 0
    assert (
        run_cli(env, "watch", "add", "kz", "--buyer", "KZ", "--notify", smtp_server.mailto_url()).returncode
        == 0
    )

    first = ArmswatchProcess(env, "up", log_file=tmp_path / "first.log").start()
    tansu_pid = int(first.wait_for_log("tansu started")["pid"])
    smtp_server.wait_for(1, timeout=90)
    wait_until(lambda: count_rows(database_url, LedgerEntry) == 1, 30, "the ledger entry")
    before = settled_counts(database_url, MODELS)
    first.stop(signal.SIGKILL)
    wait_until(lambda: not pid_alive(tansu_pid), 10, "the embedded broker to die with its parent")

    second = ArmswatchProcess(env, "up", log_file=tmp_path / "second.log").start()
    try:
        refill = second.wait_for_log("archive refilled broker")
        assert refill["records"] == before["event_log"]
        bootstrap = second.wait_for_log("armswatch running")["bootstrap"]
        assert asyncio.run(_topic_size(bootstrap, "armswatch.articles")) == before["articles"]
        wait_until(
            lambda: len(second.find("article already classified")) >= before["articles"],
            60,
            "the articles seen again",
        )
        time.sleep(3)
        after = _counts(database_url)
    finally:
        assert second.stop() == 0
    assert after == before
    assert before["articles"] >= 6 and before["alerts"] == 1
    assert len(smtp_server.messages) == 1, "no alert is sent twice"
