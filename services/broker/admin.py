"""Topic administration on any Kafka-protocol broker: create armswatch's topics with their configs."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

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
