"""Producing records: validate against the schema, archive in the event_log, send with aiokafka.

The Publisher is the one way any component puts a record on a topic; consumers read with Faust agents.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.config import Settings
from services.errors import BrokerError
from services.logs import get_logger
from services.metrics import RECORDS_PRODUCED
from services.records import RecordType, encode
from services.store import archive
from services.store.db import Database

log = get_logger("bus")


class Bus(Protocol):
    """Sends raw bytes to a topic and returns once the broker has acknowledged them."""

    async def send(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        """Send one record; raise BrokerError when the broker does not take it."""

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> None:
        """Send (topic, key, value) records together; raise BrokerError when the broker does not take one."""


class KafkaBus:
    """A Bus over an aiokafka producer (acks=all; Tansu has no idempotent producer)."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect the producer."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, request_timeout_ms=30000
        )
        try:
            await self._producer.start()
        except (KafkaError, OSError) as exc:
            await self._producer.stop()
            raise BrokerError(f"bus: cannot connect a producer to {self.bootstrap}: {exc!r}") from exc

    async def stop(self) -> None:
        """Flush and close the producer."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        """Send and wait for the acknowledgement."""
        if self._producer is None:
            raise BrokerError("bus: producer not started")
        try:
            await self._producer.send_and_wait(topic, value=value, key=key)
        except KafkaError as exc:
            raise BrokerError(f"bus: send to {topic} failed: {exc!r}") from exc

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> None:
        """Queue every record, then wait for all acknowledgements (one batch per partition)."""
        if self._producer is None:
            raise BrokerError("bus: producer not started")
        try:
            futures = [
                await self._producer.send(topic, value=value, key=key) for topic, key, value in records
            ]
            await asyncio.gather(*futures)
        except KafkaError as exc:
            raise BrokerError(f"bus: batch send failed: {exc!r}") from exc


class OutboxBus:
    """A Bus that sends nothing: records stay unpublished in the archive until a running stack relays them."""

    async def send(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        """Leave the record to the relay."""

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> None:
        """Leave the records to the relay."""


class Publisher:
    """Validates, archives (when the archive is on) and sends records; skips records archived before."""

    def __init__(self, settings: Settings, db: Database, bus: Bus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.archive = settings.archive_enabled or isinstance(bus, OutboxBus)

    async def publish(
        self, rtype: RecordType, record: dict[str, Any] | None, *, key: str, record_id: str
    ) -> bool:
        """Put one record (None: a tombstone) on its topic; False when it was produced before.

        Args:
            rtype: the record type, naming schema and topic.
            record: the record, validated here; None deletes `key` on a compacted topic.
            key: the Kafka key (partitioning and compaction).
            record_id: the record's deterministic id: the same id is produced once while the archive is on.
        """
        topic = self.settings.topic(rtype.topic)
        value = encode(rtype, record) if record is not None else None
        kbytes = key.encode("utf-8")
        seq = None
        if self.archive:
            seq = await asyncio.to_thread(archive.append, self.db, topic, record_id, kbytes, value)
            if seq is None:
                return False
        await self.bus.send(topic, kbytes, value)
        RECORDS_PRODUCED.labels(topic).inc()
        if seq is not None and not isinstance(self.bus, OutboxBus):
            await asyncio.to_thread(archive.mark_published, self.db, [seq])
        return True

    async def publish_many(self, rtype: RecordType, items: list[tuple[dict[str, Any], str, str]]) -> int:
        """Put (record, key, record_id) items on `rtype`'s topic together; return how many were new.

        One archive transaction and one wait for the broker for the whole batch; records archived
        before are skipped, as in `publish`.
        """
        topic = self.settings.topic(rtype.topic)
        rows = [(topic, rid, key.encode("utf-8"), encode(rtype, record)) for record, key, rid in items]
        seqs: list[int | None] = [None] * len(rows)
        if self.archive:
            seqs = await asyncio.to_thread(archive.append_many, self.db, rows)
            rows = [row for row, seq in zip(rows, seqs, strict=True) if seq is not None]
        await self.bus.send_many([(t, k, v) for t, _, k, v in rows])
        RECORDS_PRODUCED.labels(topic).inc(len(rows))
        done = [seq for seq in seqs if seq is not None]
        if done and not isinstance(self.bus, OutboxBus):
            await asyncio.to_thread(archive.mark_published, self.db, done)
        return len(rows)

    async def refill(self, topics: set[str]) -> int:
        """Re-publish the archive of `topics` (just created, so empty) in its original order."""
        total = 0
        after = 0
        while batch := await asyncio.to_thread(archive.batch_after, self.db, topics, after, 1000):
            await self.bus.send_many([(rec.topic, rec.key, rec.value) for rec in batch])
            await asyncio.to_thread(archive.mark_published, self.db, [rec.seq for rec in batch])
            total += len(batch)
            after = batch[-1].seq
        if total:
            log.info("archive refilled broker", records=total, topics=sorted(topics))
        return total

    async def relay_unpublished(self, min_age: float = 0.0) -> int:
        """Send archived records that never reached the broker: a crash between archive and send, or
        records written by a command-line call while no broker was running (the outbox)."""
        pending = await asyncio.to_thread(
            lambda: list(archive.records(self.db, unpublished_only=True, min_age=min_age))
        )
        for rec in pending:
            await self.bus.send(rec.topic, rec.key, rec.value)
        await asyncio.to_thread(archive.mark_published, self.db, [r.seq for r in pending])
        if pending:
            log.info("archive relayed unpublished records", records=len(pending))
        return len(pending)
