"""Smoke tests of the test fixtures: each real part is started and used once for real."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid

import apprise
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.fixtures._support import Broker
from tests.fixtures.feeds import FeedServer
from tests.fixtures.postgres import PgServer
from tests.fixtures.smtp import SmtpServer

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Defence wire</title><link>http://example.org/</link>
<description>test</description><item><title>Kazakhstan keen to buy Bayraktar TB2 drones</title>
<link>http://example.org/tb2</link><guid>tb2</guid></item></channel></rss>
"""


async def _create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def test_broker_produce_and_consume(broker: Broker) -> None:
    """A record produced with aiokafka is read back from the same broker (assigned partition)."""
    assert broker.name in ("tansu", "kafka")
    assert broker.bootstrap.startswith("127.0.0.1:")
    topic = f"fixture-smoke-{uuid.uuid4().hex[:8]}"
    await _create_topic(broker.bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, b"hello " + broker.name.encode(), key=b"k1")
    finally:
        await producer.stop()
    assert meta.offset == 0

    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        batch = await consumer.getmany(partition, timeout_ms=10_000)
    finally:
        await consumer.stop()
    records = batch.get(partition, [])
    assert [(r.key, r.value) for r in records] == [(b"k1", b"hello " + broker.name.encode())]


async def test_broker_consumer_group(broker: Broker) -> None:
    """A consumer group (short session timeout, as on Tansu) joins and receives a produced record."""
    topic = f"fixture-group-{uuid.uuid4().hex[:8]}"
    await _create_topic(broker.bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"grouped")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        group_id=f"g-{topic}",
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=20_000)
        values = [r.value for records in batch.values() for r in records]
        assert values == [b"grouped"]
        await consumer.commit()
    finally:
        await consumer.stop()


def test_database_select_one(database_url: str) -> None:
    """SQLAlchemy connects to the per-test database and runs ``SELECT 1``."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert conn.dialect.name in ("sqlite", "postgresql")
    finally:
        engine.dispose()
    if database_url.startswith("postgresql"):
        assert database_url.startswith("postgresql+psycopg://")


def test_pg_server_databases_are_separate(pg_server: PgServer) -> None:
    """Two databases made by ``pg_server`` are distinct and empty, and can be dropped."""
    first, second = pg_server.create_database(), pg_server.create_database()
    assert first != second
    engine = sa.create_engine(first)
    try:
        with engine.connect() as conn:
            tables = conn.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
            assert tables.scalar_one() == 0
    finally:
        engine.dispose()
    pg_server.drop_database(first)
    pg_server.drop_database(second)


def test_apprise_mailto_reaches_smtp(smtp_server: SmtpServer) -> None:
    """Apprise's ``mailto://`` URL from the fixture delivers a real email over plain SMTP."""
    notifier = apprise.Apprise()
    assert notifier.add(smtp_server.mailto_url(to="analyst@example.org"))
    assert notifier.notify(title="TB2 alert", body="Kazakhstan keen to buy Bayraktar TB2 drones")
    [message] = smtp_server.wait_for(1, timeout=10)
    assert message["Subject"] == "TB2 alert"
    assert "analyst@example.org" in message["To"]
    assert "armswatch@example.org" in message["From"]
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None
    assert "Bayraktar TB2" in body.get_content()
    assert smtp_server.envelopes[0].rcpt_tos == ["analyst@example.org"]


def test_smtp_fail_next_refuses_then_accepts(smtp_server: SmtpServer) -> None:
    """``fail_next`` answers one message with a 4xx (apprise reports failure); the next is accepted."""
    smtp_server.fail_next(1, code=451)
    notifier = apprise.Apprise()
    notifier.add(smtp_server.mailto_url())
    for plugin in notifier:
        plugin.request_rate_per_sec = 0  # apprise's own throttle off, as the notifier runs it
    assert not notifier.notify(title="first", body="refused")
    assert smtp_server.refused == 1
    assert smtp_server.messages == []
    assert notifier.notify(title="second", body="accepted")
    assert [m["Subject"] for m in smtp_server.wait_for(1)] == ["second"]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def test_feed_server_conditional_get(feed_server: FeedServer) -> None:
    """The feed server answers 200 with validators, then 304 to If-None-Match and If-Modified-Since."""
    url = feed_server.add("feeds/wire.rss", RSS)
    status, headers, body = _get(url)
    assert (status, body) == (200, RSS)
    assert headers["Content-Type"] == "application/rss+xml"
    etag, modified = headers["ETag"], headers["Last-Modified"]

    assert _get(url, {"If-None-Match": etag})[0] == 304
    assert _get(url, {"If-Modified-Since": modified})[0] == 304
    assert _get(url, {"If-None-Match": '"stale"'})[0] == 200
    assert _get(feed_server.url("missing.rss"))[0] == 404
    assert [r.headers.get("If-None-Match") for r in feed_server.requests_for("feeds/wire.rss")] == [
        None,
        etag,
        None,
        '"stale"',
    ]


def test_feed_server_redirect_and_gzip(feed_server: FeedServer) -> None:
    """A redirect is followed to the feed, and gzip is used only when the client accepts it."""
    feed_server.add("new.rss", RSS, gzip=True)
    old = feed_server.redirect("old.rss", "new.rss")
    status, headers, body = _get(old)
    assert (status, body) == (200, RSS)
    status, headers, body = _get(feed_server.url("new.rss"), {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert [r.path for r in feed_server.requests] == ["/old.rss", "/new.rss", "/new.rss"]


def test_environment_has_no_armswatch_settings() -> None:
    """The autouse fixture removed every ``ARMSWATCH_*`` variable (CI sets one) for the test."""
    assert [key for key in os.environ if key.startswith("ARMSWATCH_")] == []
