"""The Faust app and its topics: consumers of armswatch's topics run as agents of this app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import faust

from services.bus import Publisher
from services.config import Settings
from services.errors import ConfigError, RecordError
from services.logs import get_logger
from services.records import DEAD_LETTER, RecordType, dead_letter, decode

log = get_logger("app")

R = TypeVar("R")

#: handler(record or None for a tombstone, key) → None; raises RecordError for an unusable record.
Handler = Callable[[R | None, str | None], Awaitable[None]]


def make_app(settings: Settings, bootstrap: str, app_id: str) -> faust.App:
    """A Faust app on `bootstrap`, tuned for both Tansu and Apache Kafka (short session timeout, no tables)."""
    try:
        (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)  # a worker may be the first to run
    except OSError as exc:
        raise ConfigError(f"config: cannot use ARMSWATCH_DATA_DIR {settings.data_dir}: {exc}") from exc
    return faust.App(
        app_id,
        broker=f"kafka://{bootstrap.split(',')[0]}",
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(1.0, settings.session_timeout / 3),
        broker_rebalance_timeout=max(10.0, settings.session_timeout * 2),
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=settings.replication_factor,
        topic_partitions=settings.topic_partitions,
        web_enabled=False,
        store="memory://",
        table_standby_replicas=0,
        producer_acks=-1,
        datadir=str(settings.data_dir / "faust"),
        autodiscover=False,
    )


def add_consumer(
    app: faust.App,
    publisher: Publisher,
    rtype: RecordType[R],
    handler: Handler[R],
    *,
    name: str,
    tombstones: bool = False,
) -> None:
    """Run `handler` for every record on `rtype`'s topic; unusable records go to the dead-letter topic.

    The offset of a record is committed once its handler returned (Faust acks it), so a crash means the
    record is seen again: handlers must be idempotent.
    """
    topic_name = publisher.settings.topic(rtype.topic)
    topic = app.topic(topic_name, key_serializer="raw", value_serializer="raw")

    async def consume(stream: faust.StreamT[Any]) -> None:
        async for event in stream.events():
            message = event.message
            raw_key = message.key
            key = raw_key.decode("utf-8", "replace") if isinstance(raw_key, bytes) else None
            try:
                if message.value is None and tombstones:
                    await handler(None, key)
                else:
                    await handler(decode(rtype, message.value), key)
            except RecordError as exc:
                await _to_dead_letter(publisher, message, str(exc), name)
            except Exception as exc:
                log.exception("handler failed", consumer=name, topic=message.topic, offset=message.offset)
                await _to_dead_letter(publisher, message, f"{name}: processing failed: {exc!r}", name)

    consume.__name__ = name
    app.agent(topic, name=name, concurrency=1)(consume)


async def _to_dead_letter(publisher: Publisher, message: Any, reason: str, consumer: str) -> None:
    record = dead_letter(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        reason=reason,
        consumer=consumer,
    )
    log.warning(
        "dead letter", topic=message.topic, partition=message.partition, offset=message.offset, reason=reason
    )
    await publisher.publish(
        DEAD_LETTER,
        record,
        key=f"{message.topic}:{message.partition}:{message.offset}",
        record_id=f"{message.topic}:{message.partition}:{message.offset}",
    )
