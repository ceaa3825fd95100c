"""A record that does not parse or validate goes to the dead-letter topic with its reason; the next one is processed."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import select

from services.records import now_iso
from services.store.db import Database
from services.store.models import ArticleRow, DeadLetterRow
from tests.support.stack import ArmswatchProcess, armswatch_env, count_rows, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _good_article() -> dict[str, object]:
    return {
        "id": uuid.uuid4().hex,
        "url": "https://news.example.org/kz-tb2",
        "feed_url": None,
        "source": "Example News",
        "title": "Kazakhstan weighs a Bayraktar TB2 purchase",
        "summary": "",
        "text": "Kazakhstan is considering the purchase of Bayraktar TB2 drones from Turkey, officials said.",
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=b"by-hand")
    finally:
        await producer.stop()


async def _dead_letters(bootstrap: str, topic: str) -> list[dict[str, object]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        return [json.loads(m.value) for msgs in batches.values() for m in msgs]
    finally:
        await consumer.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_records_are_dead_lettered_and_processing_goes_on(broker, database_url, tmp_path):
    """Not-JSON and schema-invalid records land on armswatch.deadletter with a reason; a good one after them is used."""
    namespace = f"dl-{uuid.uuid4().hex[:8]}"
    env = armswatch_env(
        kafka_bootstrap=broker.bootstrap,
        database_url=database_url,
        topic_namespace=namespace,
        data_dir=str(tmp_path),
        api_port="0",
        topic_partitions="1",
    )
    stack = ArmswatchProcess(env, "worker", "classify", log_file=tmp_path / "armswatch.log").start()
    notify = ArmswatchProcess(env, "worker", "notify", log_file=tmp_path / "notify.log").start()
    try:
        good = _good_article()
        bad_json = b"{this is not json"
        bad_schema = json.dumps({"id": "nope", "url": ""}).encode()
        asyncio.run(
            _produce(
                broker.bootstrap, f"{namespace}.articles", [bad_json, bad_schema, json.dumps(good).encode()]
            )
        )
        wait_until(
            lambda: count_rows(database_url, ArticleRow) == 1, 60, "the good article after the bad ones"
        )
        wait_until(
            lambda: count_rows(database_url, DeadLetterRow) == 2, 60, "two dead letters in the read model"
        )
    finally:
        stack.stop()
        notify.stop()
    letters = asyncio.run(_dead_letters(broker.bootstrap, f"{namespace}.deadletter"))
    assert len(letters) == 2
    originals = {base64.b64decode(str(letter["original"])) for letter in letters}
    assert originals == {bad_json, bad_schema}
    reasons = " | ".join(str(letter["reason"]) for letter in letters)
    assert "not UTF-8 JSON" in reasons and "Article" in reasons
    assert all(
        letter["topic"] == f"{namespace}.articles" and letter["offset"] in (0, 1) for letter in letters
    )
    db = Database(database_url)
    with db.session() as session:
        assert {row.offset for row in session.scalars(select(DeadLetterRow))} == {0, 1}
    db.close()
