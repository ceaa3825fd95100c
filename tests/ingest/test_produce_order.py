"""Articles are published before they are remembered as seen: a crash in between repeats them, never loses them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.broker.admin import ensure_topics
from services.bus import KafkaBus, Publisher
from services.config import load_settings
from services.ingest import produce as produce_module
from services.ingest.parse import parse_feed
from services.store import feeds as feedstore
from services.store.db import Database
from tests.support.stack import topic_values

pytestmark = [pytest.mark.integration]

FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Desk</title>
<link>https://desk.example.org/</link><description>d</description>
<item><title>Kazakhstan orders drones</title><link>https://desk.example.org/1</link></item>
<item><title>Serbia orders radars</title><link>https://desk.example.org/2</link></item>
</channel></rss>"""


@pytest.mark.parametrize("broker", ["tansu"], indirect=True)
def test_a_crash_after_publishing_repeats_the_articles_at_the_next_poll(
    broker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cluster mode (no archive): the process dies after the batch is on the topic, before it is marked seen."""
    namespace = f"order-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        data_dir=tmp_path, kafka_bootstrap=broker.bootstrap, topic_namespace=namespace, archive="off"
    )
    db = Database(settings.effective_database_url)
    feed_id = feedstore.add_feed(db, "https://desk.example.org/feed", 900.0)
    parsed = parse_feed(FEED, "https://desk.example.org/feed")
    real_claim = feedstore.claim_seen

    def crash(*_args: Any, **_kwargs: Any) -> list[str]:
        raise KeyboardInterrupt("the process dies here")

    async def run() -> tuple[int, int]:
        await ensure_topics(settings, broker.bootstrap)
        bus = KafkaBus(broker.bootstrap)
        await bus.start()
        try:
            publisher = Publisher(settings, db, bus)
            monkeypatch.setattr(feedstore, "claim_seen", crash)
            with pytest.raises(KeyboardInterrupt):
                await produce_module.produce(publisher, feed_id, "https://desk.example.org/feed", parsed)
            monkeypatch.setattr(feedstore, "claim_seen", real_claim)
            again = await produce_module.produce(publisher, feed_id, "https://desk.example.org/feed", parsed)
            after = await produce_module.produce(publisher, feed_id, "https://desk.example.org/feed", parsed)
            return again[1], after[1]
        finally:
            await bus.stop()

    again, after = asyncio.run(run())
    assert (again, after) == (2, 0), "repeated once after the crash, then seen"
    on_topic = Counter(
        json.loads(v)["id"] for v in asyncio.run(topic_values(broker.bootstrap, f"{namespace}.articles"))
    )
    assert len(on_topic) == 2 and set(on_topic.values()) == {2}, (
        "each article twice (at least once), none lost"
    )
    db.close()
