"""Records have a size policy: long texts are cut with a mark, a record no topic can take is quarantined.

Nothing accepted is lost (a quarantined record stays in the event_log with its reason) and nothing
behind a bad record is blocked: the records after it are sent, and the stack starts again.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from services.broker.admin import ensure_topics
from services.bus import KafkaBus, Publisher
from services.config import load_settings
from services.records import ARTICLE, now_iso
from services.store import archive
from services.store.db import Database
from services.store.models import ArticleRow, DeadLetterRow, EventLog, WatchlistRow
from tests.support.stack import ArmswatchProcess, armswatch_env, count_rows, run_cli, topic_values, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _article(text: str, title: str = "Kazakhstan weighs a Bayraktar TB2 purchase") -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "url": f"https://news.example.org/{uuid.uuid4().hex[:8]}",
        "feed_url": None,
        "source": "Example News",
        "title": title,
        "summary": "",
        "text": text,
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }


def test_records_over_the_limit_or_refused_are_quarantined_and_the_rest_sent(broker, tmp_path):
    """Over the size setting, or refused by the producer for its size: quarantined with the reason; neighbours sent."""
    namespace = f"size-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        data_dir=tmp_path,
        kafka_bootstrap=broker.bootstrap,
        topic_namespace=namespace,
        topic_partitions=1,
        archive="on",
        record_max_bytes=200_000,
    )
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    small, refused, too_big, last = (
        _article("Kazakhstan ordered drones."),
        _article("x" * 100_000),  # under the setting, over what this producer may send
        _article("y" * 300_000),  # over the setting
        _article("Kazakhstan received drones."),
    )

    async def run() -> tuple[int, bool, int, int]:
        await ensure_topics(settings, broker.bootstrap)
        bus = KafkaBus(broker.bootstrap, max_record_bytes=16_384)
        await bus.start()
        try:
            publisher = Publisher(settings, db, bus)
            sent = await publisher.publish_many(
                ARTICLE, [(a, a["id"], a["id"]) for a in (small, refused, too_big, last)]
            )
            alone = await publisher.publish(ARTICLE, _article("z" * 250_000), key="k", record_id="alone")
            relayed = await publisher.relay_unpublished()
            refilled = await publisher.refill({settings.topic("articles")})
            return sent, alone, relayed, refilled
        finally:
            await bus.stop()

    sent, alone, relayed, refilled = asyncio.run(run())
    assert (sent, alone, relayed) == (2, False, 0)
    assert refilled == 2, "a refill sends the archive without its quarantined records"
    ids = [json.loads(v)["id"] for v in asyncio.run(topic_values(broker.bootstrap, f"{namespace}.articles"))]
    assert ids == [small["id"], last["id"], small["id"], last["id"]]
    kept = {q.record_id: q for q in archive.quarantined(db)}
    assert set(kept) == {refused["id"], too_big["id"], "alone"}
    assert "MessageSizeTooLarge" in kept[refused["id"]].reason
    assert "ARMSWATCH_RECORD_MAX_BYTES=200000" in kept[too_big["id"]].reason
    assert kept[too_big["id"]].size > 300_000, "the quarantined record keeps its whole value"
    with db.session() as session:
        unpublished = session.scalars(select(EventLog.record_id).where(EventLog.published.is_(False))).all()
    assert set(unpublished) == set(kept)
    db.close()


def _rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example.org/{n}</link>"
        f"<guid>size-{n}</guid><description>{text}</description></item>"
        for n, (title, text) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Size desk</title>'
        f"<link>https://news.example.org/</link><description>d</description>{body}</channel></rss>"
    ).encode()


@pytest.mark.faults
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_embedded_stack_survives_huge_items_and_garbage_and_starts_again(
    database_url, feed_server, tmp_path: Path
):
    """A 1.4 MB item is cut and classified, a too-large one quarantined, 1 MB of garbage dead-lettered; `up` restarts."""
    words = "Kazakhstan signed a contract for Bayraktar TB2 drones from Turkey. " * 21_000  # about 1.4 MB
    wide = "哈萨克斯坦签署了购买无人机的合同。" * 12_000  # 204,000 characters, 612 kB of UTF-8
    feed_server.add(
        "/size.rss",
        _rss(
            [("Kazakhstan buys Bayraktar TB2 drones", words), ("A long wide item", wide), ("Short", "Short.")]
        ),
    )
    env = armswatch_env(
        database_url=database_url,
        data_dir=str(tmp_path),
        allowed_hosts="127.0.0.1",
        api_port="0",
        poll_tick="0.2",
        article_max_chars="300000",
        record_max_bytes="400000",
    )
    assert run_cli(env, "feeds", "add", feed_server.url("/size.rss")).returncode == 0
    stack = ArmswatchProcess(env, "up", log_file=tmp_path / "first.log").start()
    try:
        bootstrap = stack.wait_for_log("armswatch running")["bootstrap"]
        wait_until(lambda: count_rows(database_url, ArticleRow) == 2, 90, "the cut article and the short one")
        garbage = b"\x00garbage" * 131_072  # 1 MiB
        asyncio.run(_produce(bootstrap, "armswatch.articles", garbage))
        wait_until(lambda: count_rows(database_url, DeadLetterRow) == 1, 60, "the garbage's dead letter")
        assert run_cli(env, "watch", "add", "after-garbage", "--buyer", "KZ").returncode == 0
        wait_until(
            lambda: count_rows(database_url, WatchlistRow) == 1, 60, "a watchlist added after the garbage"
        )
    finally:
        assert stack.stop(signal.SIGTERM) == 0
    db = Database(database_url)
    with db.session() as session:
        texts = [row.record["text"] for row in session.scalars(select(ArticleRow))]
        letter = session.scalars(select(DeadLetterRow)).one()
    db.close()
    cut = max(texts, key=len)
    assert len(cut) <= 300_000 and cut.endswith("characters, the first 300000 kept]")
    assert "first 65536 of 1048576 bytes" in letter.reason
    quarantine = run_cli(env, "quarantine", "--json")
    assert quarantine.returncode == 0
    (kept,) = [json.loads(line) for line in quarantine.stdout.splitlines()]
    assert kept["topic"] == "armswatch.articles" and kept["bytes"] > 400_000
    assert "ARMSWATCH_RECORD_MAX_BYTES=400000" in kept["reason"]

    again = ArmswatchProcess(env, "up", log_file=tmp_path / "second.log").start()
    try:
        again.wait_for_log("armswatch running")
        assert count_rows(database_url, ArticleRow) == 2
    finally:
        assert again.stop(signal.SIGTERM) == 0


async def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=2_000_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=b"by-hand")
    finally:
        await producer.stop()


def test_dead_letter_of_a_huge_record_carries_its_start_and_says_where_the_rest_is():
    """The dead letter of a 1 MiB record holds 64 KiB of it and names its topic, partition and offset."""
    from services.records import DEAD_LETTER, DEAD_LETTER_ORIGINAL_BYTES, dead_letter, encode

    record = dead_letter(
        topic="armswatch.articles",
        partition=0,
        offset=7,
        key=b"k",
        value=b"\x00" * 1_048_576,
        reason="Article: not UTF-8 JSON",
        consumer="classify",
    )
    assert len(encode(DEAD_LETTER, record)) < 100_000
    assert "first 65536 of 1048576 bytes" in record["reason"]
    assert "armswatch.articles/0/7" in record["reason"]
    assert len(record["original"]) == len(base64.b64encode(b"\x00" * DEAD_LETTER_ORIGINAL_BYTES))
