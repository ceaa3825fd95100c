"""`armswatch status` on Tansu and Apache Kafka: the consumer groups, their members and lag per topic."""

from __future__ import annotations

import asyncio
import json
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.broker.admin import consumer_lag, ensure_topics
from services.config import load_settings
from tests.support.cli import run_in_process


def test_status_reports_each_group_lag_per_topic(broker, tmp_path):
    """Five articles, a group that committed two: lag 3 on the articles topic, shown by the command too."""
    namespace = f"status-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        data_dir=tmp_path, kafka_bootstrap=broker.bootstrap, topic_namespace=namespace, topic_partitions=1
    )
    topic = settings.topic("articles")
    group = "armswatch-classify"

    async def run() -> list[dict[str, object]]:
        await ensure_topics(settings, broker.bootstrap)
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            for n in range(5):
                await producer.send_and_wait(topic, json.dumps({"n": n}).encode(), key=b"k")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=broker.bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
        )
        await consumer.start()
        try:
            taken = 0
            while taken < 2:
                batch = await consumer.getmany(timeout_ms=1000, max_records=2 - taken)
                taken += sum(len(m) for m in batch.values())
            await consumer.commit()
            return [dict(row) for row in await consumer_lag(broker.bootstrap, settings)]
        finally:
            await consumer.stop()

    rows = asyncio.run(run())
    assert {"group": group, "topic": topic, "members": 1, "lag": 3} in rows
    shown = run_in_process(
        ["status"], data_dir=str(tmp_path), kafka_bootstrap=broker.bootstrap, topic_namespace=namespace
    )
    assert shown.exit_code == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if x.startswith(f"consumers {group} ("))
    assert line.endswith(f"running)  {topic}  lag 3"), shown.stdout


def test_status_names_a_broker_that_does_not_answer(tmp_path):
    """An unreachable ARMSWATCH_KAFKA_BOOTSTRAP is reported in the output; the store part still shows."""
    shown = run_in_process(["status"], data_dir=str(tmp_path), kafka_bootstrap="127.0.0.1:9")
    assert shown.exit_code == 0, shown.stderr
    assert "status: the broker at 127.0.0.1:9 does not answer" in shown.stdout
    assert "feeds     0 (0 paused, 0 in error)" in shown.stdout
