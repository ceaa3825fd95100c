"""`armswatch rebuild`: recreate the read model from the log (the topics, or the event_log archive)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypedDict

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import delete, select

from services.bus import Publisher
from services.config import Settings
from services.errors import RecordError
from services.logs import get_logger
from services.notify.decided import publish_decided
from services.notify.ledger import SETTLED
from services.records import (
    ALERT,
    ARTICLE,
    DEAD_LETTER,
    PROCUREMENT_EVENT,
    WATCHLIST,
    RecordType,
    decode,
    now_iso,
)
from services.store import archive
from services.store.db import Database
from services.store.models import (
    AlertRow,
    ArticleRow,
    DeadLetterRow,
    Deal,
    DealSource,
    EventRow,
    LedgerEntry,
    WatchlistRow,
)
from services.store.readmodel import (
    project_alert,
    project_article,
    project_dead_letter,
    project_event,
    project_watchlist,
)

log = get_logger("rebuild")

#: Projected tables, emptied before a rebuild. The ledger, feeds, users and the archive are not projections.
PROJECTIONS = (AlertRow, DealSource, Deal, EventRow, ArticleRow, WatchlistRow, DeadLetterRow)
#: Topics in the order they are applied (watchlists before the alerts that name them).
ORDER: tuple[RecordType[Any], ...] = (WATCHLIST, ARTICLE, PROCUREMENT_EVENT, ALERT, DEAD_LETTER)

Raw = tuple[bytes | None, bytes | None]


class TopicReplay(TypedDict):
    """How many records of a topic a rebuild applied, and how many it skipped as unusable."""

    applied: int
    skipped: int


async def read_topic(bootstrap: str, topic: str, idle_ms: int = 1500) -> AsyncIterator[Raw]:
    """Every (key, value) of a topic from the beginning to its high-water mark at the time of reading.

    The end is taken from the fetch responses' high-water marks (Tansu answers ListOffsets(latest) wrongly).
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if partitions is None:
            await consumer._client.force_metadata_update()  # a topic this client has not asked about yet
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while True:
            batch = await consumer.getmany(*tps, timeout_ms=idle_ms, max_records=1000)
            for messages in batch.values():
                for message in messages:
                    yield message.key, message.value
            done = True
            for tp in tps:
                high = consumer.highwater(tp)
                done = done and high is not None and await consumer.position(tp) >= high
            if done or not batch:
                return
    finally:
        await consumer.stop()


def archive_topic(db: Database, topic: str) -> Iterator[Raw]:
    """Every (key, value) of a topic as the event_log archived it."""
    for rec in archive.records(db, {topic}):
        yield rec.key, rec.value


def _apply(db: Database, rtype: RecordType[Any], key: bytes | None, value: bytes | None) -> None:
    text_key = key.decode("utf-8", "replace") if key is not None else None
    with db.session() as session:
        if rtype is WATCHLIST:
            if text_key is not None:
                project_watchlist(
                    session, text_key, None if value is None else decode(rtype, value), now_iso()
                )
            return
        record = decode(rtype, value)
        if rtype is ARTICLE:
            project_article(session, record)
        elif rtype is PROCUREMENT_EVENT:
            project_event(session, record)
        elif rtype is ALERT:
            if project_alert(session, record, published=True):
                statuses = session.scalars(
                    select(LedgerEntry.status).where(LedgerEntry.alert_id == record["id"])
                ).all()
                alert = session.get(AlertRow, record["id"])
                # delivered once every channel is settled (a deferred or claimed send is not yet)
                if alert is not None:
                    alert.delivered = bool(statuses) and all(status in SETTLED for status in statuses)
        elif rtype is DEAD_LETTER:
            project_dead_letter(session, record)


async def rebuild(
    settings: Settings, db: Database, bootstrap: str | None, publisher: Publisher | None = None
) -> dict[str, TopicReplay]:
    """Empty the projections and apply the whole log again; return records applied and skipped per topic.

    With a `publisher`, alerts decided but not yet on armswatch.alerts are published first, so the
    rebuild keeps them (held digest alerts, alerts whose sends were still pending).
    """
    if publisher is not None:
        await publish_decided(publisher)

    def wipe() -> None:
        with db.session() as session:
            for model in PROJECTIONS:
                session.execute(delete(model))

    await asyncio.to_thread(wipe)
    report: dict[str, TopicReplay] = {}
    for rtype in ORDER:
        topic = settings.topic(rtype.topic)
        applied = skipped = 0
        if bootstrap is None:
            source: AsyncIterator[Raw] | Iterator[Raw] = archive_topic(db, topic)
        else:
            source = read_topic(bootstrap, topic)
        async for key, value in _each(source):
            try:
                await asyncio.to_thread(_apply, db, rtype, key, value)
                applied += 1
            except RecordError:
                skipped += 1
        report[topic] = {"applied": applied, "skipped": skipped}
        log.info("topic replayed into the read model", topic=topic, applied=applied, skipped=skipped)
    return report


async def _each(source: AsyncIterator[Raw] | Iterator[Raw]) -> AsyncIterator[Raw]:
    if isinstance(source, Iterator):
        for item in source:
            yield item
    else:
        async for item in source:
            yield item
