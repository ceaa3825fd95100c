"""The bus contract, run on Tansu and on Apache Kafka: what the services may rely on when they produce.

A batch is acknowledged whole or refused record by record, keys and tombstones arrive as sent and in order
per key, a record id is produced once while the archive is on, and the outbox relays what was written
while no broker ran, once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from services.broker.admin import ensure_topics
from services.bus import KafkaBus, OutboxBus, Publisher
from services.config import Settings, load_settings
from services.errors import BrokerError
from services.rebuild import read_topic
from services.record_types import Article
from services.records import ARTICLE, now_iso
from services.store.db import Database


def _settings(broker, tmp_path: Path, **extra: object) -> Settings:
    return load_settings(
        data_dir=tmp_path,
        kafka_bootstrap=broker.bootstrap,
        topic_namespace=f"bus-{uuid.uuid4().hex[:8]}",
        topic_partitions=2,
        archive="on",
        **extra,
    )


def _article(n: int) -> Article:
    return {
        "id": f"{n:032x}",
        "url": f"https://news.example.org/{n}",
        "feed_url": "https://news.example.org/rss",
        "source": "Example",
        "title": f"Item {n}",
        "summary": "",
        "text": f"Kazakhstan ordered {n} drones.",
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }


async def _keyed(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """Every (key, value) on a topic, tombstones too, up to its high-water mark (partition by partition)."""
    return [kv async for kv in read_topic(bootstrap, topic)]


async def _ids(bootstrap: str, topic: str) -> list[str]:
    return [json.loads(v)["id"] for _, v in await _keyed(bootstrap, topic) if v is not None]


def test_a_batch_arrives_whole_with_keys_tombstones_and_per_key_order(broker, tmp_path):
    """send_many acknowledges every record; per key the order is the sending order; a None value is a tombstone."""
    settings = _settings(broker, tmp_path)
    topic = settings.topic("watchlists")
    records: list[tuple[str, bytes | None, bytes | None]] = [
        (topic, b"w1", b'{"v":1}'),
        (topic, b"w2", b'{"v":1}'),
        (topic, b"w1", b'{"v":2}'),
        (topic, b"w2", None),
        (topic, b"w1", b'{"v":3}'),
    ]

    async def run() -> dict[int, str]:
        await ensure_topics(settings, broker.bootstrap)
        bus = KafkaBus(broker.bootstrap)
        await bus.start()
        try:
            return await bus.send_many(records)
        finally:
            await bus.stop()

    assert asyncio.run(run()) == {}
    seen = asyncio.run(_keyed(broker.bootstrap, topic))
    assert sorted(seen, key=lambda kv: kv[0] or b"") == sorted(
        [(k, v) for _, k, v in records], key=lambda kv: kv[0] or b""
    )
    assert [v for k, v in seen if k == b"w1"] == [b'{"v":1}', b'{"v":2}', b'{"v":3}']
    assert [v for k, v in seen if k == b"w2"] == [b'{"v":1}', None]


def test_a_bus_that_cannot_reach_its_broker_says_so_in_one_error():
    """Sending before start, or starting against a closed port, is a BrokerError naming the bus."""

    async def run() -> None:
        bus = KafkaBus("127.0.0.1:9")
        with pytest.raises(BrokerError, match="bus: producer not started"):
            await bus.send_many([("t", None, b"x")])
        with pytest.raises(BrokerError, match=r"bus: cannot connect a producer to 127\.0\.0\.1:9"):
            await bus.start()

    asyncio.run(run())


def test_a_record_id_is_produced_once_while_the_archive_is_on(broker, tmp_path):
    """The same record id published again (a redelivered input) reaches the topic once."""
    settings = _settings(broker, tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    first, second = _article(1), _article(2)

    async def run() -> tuple[bool, bool, int]:
        await ensure_topics(settings, broker.bootstrap)
        bus = KafkaBus(broker.bootstrap)
        await bus.start()
        try:
            publisher = Publisher(settings, db, bus)
            sent = await publisher.publish(ARTICLE, first, key=first["id"], record_id=first["id"])
            again = await publisher.publish(ARTICLE, first, key=first["id"], record_id=first["id"])
            many = await publisher.publish_many(
                ARTICLE, [(a, a["id"], a["id"]) for a in (first, second, second)]
            )
            return sent, again, many
        finally:
            await bus.stop()

    assert asyncio.run(run()) == (True, False, 1)
    ids = asyncio.run(_ids(broker.bootstrap, settings.topic("articles")))
    assert sorted(ids) == sorted([first["id"], second["id"]])
    db.close()


def test_the_outbox_is_relayed_once_when_a_broker_runs(broker, tmp_path):
    """Records written with no broker (the CLI's outbox) reach the topic on the first relay, and only then."""
    settings = _settings(broker, tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    articles = [_article(n) for n in range(3, 6)]

    async def run() -> tuple[int, int, int]:
        queued = await Publisher(settings, db, OutboxBus()).publish_many(
            ARTICLE, [(a, a["id"], a["id"]) for a in articles]
        )
        await ensure_topics(settings, broker.bootstrap)
        bus = KafkaBus(broker.bootstrap)
        await bus.start()
        try:
            publisher = Publisher(settings, db, bus)
            return queued, await publisher.relay_unpublished(), await publisher.relay_unpublished()
        finally:
            await bus.stop()

    assert asyncio.run(run()) == (3, 3, 0)
    ids = asyncio.run(_ids(broker.bootstrap, settings.topic("articles")))
    assert sorted(ids) == sorted(a["id"] for a in articles)
    db.close()
