"""Topic administration on any Kafka-protocol broker: create armswatch's topics, read its consumers' lag."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from typing_extensions import TypedDict

from services.config import Settings
from services.errors import BrokerError
from services.logs import get_logger
from services.records import RECORD_TYPES, RecordType

log = get_logger("broker.admin")


def topic_configs(rtype: RecordType[Any]) -> dict[str, str]:
    """The topic configs DESIGN.md asks of a record type's topic."""
    configs: dict[str, str] = {}
    if rtype.history:
        configs["retention.ms"] = "-1"
    if rtype.compacted:
        configs["cleanup.policy"] = "compact"
    return configs


async def wait_for_broker(bootstrap: str, timeout: float = 30.0) -> None:
    """Return once the broker answers a metadata request; BrokerError after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Exception | None = None
    while asyncio.get_running_loop().time() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last = exc
            await asyncio.sleep(0.2)
        finally:
            await admin.close()
    raise BrokerError(f"broker: no answer from {bootstrap} within {timeout:.0f}s: {last!r}")


async def ensure_topics(settings: Settings, bootstrap: str) -> set[str]:
    """Create every armswatch topic that does not exist yet; return the names created now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        wanted = {
            settings.topic(rt.topic): NewTopic(
                settings.topic(rt.topic),
                num_partitions=settings.topic_partitions,
                replication_factor=settings.replication_factor,
                topic_configs=topic_configs(rt),
            )
            for rt in RECORD_TYPES
        }
        missing = [topic for name, topic in wanted.items() if name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            for name, code, *_ in getattr(response, "topic_errors", []):
                if code not in (0, 36):  # 36: TOPIC_ALREADY_EXISTS (a racing replica)
                    raise BrokerError(f"broker: cannot create topic {name}: error code {code}")
            log.info("topics created", topics=sorted(t.name for t in missing))
        return {t.name for t in missing}
    except KafkaError as exc:
        raise BrokerError(f"broker: topic administration on {bootstrap} failed: {exc!r}") from exc
    finally:
        await admin.close()


class TopicLag(TypedDict):
    """How far one consumer group is behind on one topic: records on it the group has not committed."""

    group: str
    topic: str
    members: int
    lag: int


#: The consumer groups armswatch's processes use: `up` and each consuming worker (Tansu lists no groups).
KNOWN_GROUPS = ("armswatch", "armswatch-classify", "armswatch-notify")


async def consumer_lag(bootstrap: str, settings: Settings, timeout: float = 10.0) -> list[TopicLag]:
    """Lag per armswatch consumer group (``armswatch``, ``armswatch-<roles>``) and topic, with its members.

    Groups are those the broker lists plus the known ones; a group that committed nothing is left out.
    Committed offsets are read by a consumer of the group and a partition's end is its fetch high-water
    mark (Tansu refuses the admin client's OffsetFetch and answers ListOffsets(latest) wrongly).
    BrokerError when the broker does not answer within `timeout`.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        listed = await asyncio.wait_for(admin.list_consumer_groups(), timeout)
        groups = sorted({str(g[0]) for g in listed if str(g[0]).startswith("armswatch")} | set(KNOWN_GROUPS))
        members = {group: await _members(admin, group, timeout) for group in groups}
        topics = [settings.topic(rt.topic) for rt in RECORD_TYPES]
        out: list[TopicLag] = []
        for group in groups:
            out += await _group_lag(bootstrap, group, topics, members.get(group, 0), timeout)
        return out
    except (KafkaError, OSError, TimeoutError) as exc:
        raise BrokerError(f"status: the broker at {bootstrap} does not answer: {exc!r}") from exc
    finally:
        await admin.close()


async def _members(admin: AIOKafkaAdminClient, group: str, timeout: float) -> int:
    """How many consumers are in the group now (-1: the broker would not say)."""
    try:
        described = await asyncio.wait_for(admin.describe_consumer_groups([group]), timeout)
    except (KafkaError, ValueError, TimeoutError):
        return -1
    # each response's groups: (error_code, group_id, state, protocol_type, protocol, members, ...)
    return sum(len(g[5]) for response in described for g in response.groups)


async def _group_lag(
    bootstrap: str, group: str, topics: list[str], members: int, timeout: float
) -> list[TopicLag]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await asyncio.wait_for(consumer.start(), timeout)
    try:
        out: list[TopicLag] = []
        for topic in topics:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                await consumer._client.force_metadata_update()
                partitions = consumer.partitions_for_topic(topic) or set()
            behind, seen = 0, False
            for p in sorted(partitions):
                tp = TopicPartition(topic, p)
                done = await asyncio.wait_for(consumer.committed(tp), timeout)
                if done is None:
                    continue
                seen = True
                behind += max(0, await _high_water(consumer, tp, done) - done)
            if seen:
                out.append({"group": group, "topic": topic, "members": members, "lag": behind})
        return out
    finally:
        await consumer.stop()


async def _high_water(consumer: AIOKafkaConsumer, tp: TopicPartition, at: int) -> int:
    """The partition's high-water mark, from a fetch at the committed offset."""
    consumer.assign([tp])
    consumer.seek(tp, max(0, at))
    await consumer.getmany(tp, timeout_ms=500, max_records=1)
    high = consumer.highwater(tp)
    return int(high) if high is not None else at
