"""Producing records: validate against the schema, archive in the event_log, send with aiokafka.

The Publisher is the one way any component puts a record on a topic; consumers read with Faust agents.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidMessageError,
    InvalidTimestampError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)

from services.config import Settings
from services.errors import BrokerError
from services.logs import get_logger
from services.metrics import RECORDS_PRODUCED, RECORDS_QUARANTINED
from services.records import RecordType, encode
from services.store import archive
from services.store.db import Database

R = TypeVar("R")

log = get_logger("bus")

#: Errors about one record itself: sending it again can never succeed.
_REJECTIONS = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    CorruptRecordException,
    InvalidMessageError,
    InvalidTimestampError,
)
#: Room for the record batch and request headers above the largest record value.
_REQUEST_OVERHEAD = 65_536


class Bus(Protocol):
    """Sends raw bytes to a topic and returns once the broker has acknowledged them."""

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> dict[int, str]:
        """Send (topic, key, value) records together; return {index: reason} of those refused for good.

        Raise BrokerError when the broker cannot be used (the whole batch may be sent again later).
        """


class KafkaBus:
    """A Bus over an aiokafka producer (acks=all; Tansu has no idempotent producer)."""

    def __init__(self, bootstrap: str, *, max_record_bytes: int = 900_000) -> None:
        self.bootstrap = bootstrap
        self.max_request_size = max_record_bytes + _REQUEST_OVERHEAD
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect the producer."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            linger_ms=5,
            request_timeout_ms=30000,
            max_request_size=self.max_request_size,
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

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> dict[int, str]:
        """Queue every record, then wait for all acknowledgements (one batch per partition)."""
        if self._producer is None:
            raise BrokerError("bus: producer not started")
        refused: dict[int, str] = {}
        waiting: list[tuple[int, asyncio.Future[Any]]] = []
        try:
            for n, (topic, key, value) in enumerate(records):
                try:
                    waiting.append((n, await self._producer.send(topic, value=value, key=key)))
                except _REJECTIONS as exc:
                    refused[n] = f"{topic} refuses the record: {exc!r}"
            outcomes = await asyncio.gather(*(f for _, f in waiting), return_exceptions=True)
        except KafkaError as exc:
            raise BrokerError(f"bus: batch send failed: {exc!r}") from exc
        for (n, _), outcome in zip(waiting, outcomes, strict=True):
            if isinstance(outcome, _REJECTIONS):
                refused[n] = f"{records[n][0]} refuses the record: {outcome!r}"
            elif isinstance(outcome, BaseException):
                raise BrokerError(f"bus: batch send failed: {outcome!r}") from outcome
        return refused


class OutboxBus:
    """A Bus that sends nothing: records stay unpublished in the archive until a running stack relays them."""

    async def send_many(self, records: list[tuple[str, bytes | None, bytes | None]]) -> dict[int, str]:
        """Leave the records to the relay."""
        return {}


class Publisher:
    """Validates, archives (when the archive is on) and sends records; skips records archived before.

    A record larger than `record_max_bytes`, or one the broker refuses for good, is quarantined in the
    event_log with its reason: never lost, and never blocking the records behind it.
    """

    def __init__(self, settings: Settings, db: Database, bus: Bus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.archive = settings.archive_enabled or isinstance(bus, OutboxBus)

    async def publish(self, rtype: RecordType[R], record: R | None, *, key: str, record_id: str) -> bool:
        """Put one record (None: a tombstone) on its topic; False when it was produced before or quarantined.

        Args:
            rtype: the record type, naming schema and topic.
            record: the record, validated here; None deletes `key` on a compacted topic.
            key: the Kafka key (partitioning and compaction).
            record_id: the record's deterministic id: the same id is produced once while the archive is on.
        """
        return (
            await self._publish_rows([(self.settings.topic(rtype.topic), record_id, key, rtype, record)]) == 1
        )

    async def publish_many(self, rtype: RecordType[R], items: list[tuple[R, str, str]]) -> int:
        """Put (record, key, record_id) items on `rtype`'s topic together; return how many were sent.

        One archive transaction and one wait for the broker for the whole batch; records archived
        before are skipped, as in `publish`.
        """
        topic = self.settings.topic(rtype.topic)
        return await self._publish_rows([(topic, rid, key, rtype, record) for record, key, rid in items])

    async def _publish_rows(self, items: Sequence[tuple[str, str, str, RecordType[Any], Any]]) -> int:
        rows: list[tuple[str, str, bytes, bytes | None]] = []
        for topic, rid, key, rtype, record in items:
            kbytes = key.encode("utf-8")
            value = encode(rtype, record) if record is not None else None
            reason = self._oversize(kbytes, value)
            if reason is not None:
                await self._quarantine([(None, topic, rid, kbytes, value, reason)])
                continue
            rows.append((topic, rid, kbytes, value))
        seqs: list[int | None] = [None] * len(rows)
        if self.archive:
            seqs = await asyncio.to_thread(archive.append_many, self.db, rows)
            kept = [(row, seq) for row, seq in zip(rows, seqs, strict=True) if seq is not None]
            rows, seqs = [row for row, _ in kept], [seq for _, seq in kept]
        refused = await self.bus.send_many([(t, k, v) for t, _, k, v in rows])
        if refused:
            await self._quarantine([(seqs[n], *rows[n], why) for n, why in refused.items()])
        for topic, sent in Counter(row[0] for n, row in enumerate(rows) if n not in refused).items():
            RECORDS_PRODUCED.labels(topic).inc(sent)
        done = [seq for n, seq in enumerate(seqs) if seq is not None and n not in refused]
        if done and not isinstance(self.bus, OutboxBus):
            await asyncio.to_thread(archive.mark_published, self.db, done)
        return len(rows) - len(refused)

    def _oversize(self, key: bytes | None, value: bytes | None) -> str | None:
        size = len(key or b"") + len(value or b"")
        limit = self.settings.record_max_bytes
        if size <= limit:
            return None
        return f"record of {size} bytes is over ARMSWATCH_RECORD_MAX_BYTES={limit}"

    async def _quarantine(
        self, rows: list[tuple[int | None, str, str, bytes | None, bytes | None, str]]
    ) -> None:
        """Keep (seq or None, topic, record_id, key, value, reason) records in quarantine, logged and counted."""
        for seq, topic, rid, key, value, reason in rows:
            if seq is not None:
                await asyncio.to_thread(archive.quarantine, self.db, {seq: reason})
            else:
                await asyncio.to_thread(archive.put_quarantined, self.db, topic, rid, key, value, reason)
            RECORDS_QUARANTINED.labels(topic).inc()
            log.error("record quarantined", topic=topic, record_id=rid, size=len(value or b""), reason=reason)

    async def _send_archived(self, batch: list[archive.Archived]) -> None:
        """Send archived records, quarantining the ones that are too large or refused, and mark the rest."""
        big = {n: why for n, rec in enumerate(batch) if (why := self._oversize(rec.key, rec.value))}
        fit = [rec for n, rec in enumerate(batch) if n not in big]
        refused = await self.bus.send_many([(rec.topic, rec.key, rec.value) for rec in fit])
        bad = [(batch[n], why) for n, why in big.items()] + [(fit[n], why) for n, why in refused.items()]
        await self._quarantine([(r.seq, r.topic, f"seq {r.seq}", r.key, r.value, why) for r, why in bad])
        await asyncio.to_thread(
            archive.mark_published, self.db, [rec.seq for n, rec in enumerate(fit) if n not in refused]
        )

    async def refill(self, topics: set[str]) -> int:
        """Re-publish the archive of `topics` (just created, so empty) in its original order."""
        total = 0
        after = 0
        while batch := await asyncio.to_thread(archive.batch_after, self.db, topics, after, 1000):
            await self._send_archived(batch)
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
        for start in range(0, len(pending), 500):
            await self._send_archived(pending[start : start + 500])
        if pending:
            log.info("archive relayed unpublished records", records=len(pending))
        return len(pending)
