"""SIGKILL `armswatch worker notify` in the middle of a 500-alert batch, restart it: every alert once, none twice.

The notifier sends to one channel one message at a time, so a kill leaves at most one claim
unsettled; the restarted notifier takes it over ("in doubt") and sends it again. Where the kill
lands decides whether that repeat is visible:

- ``in_flight``: the SMTP server is given the 251st message and the notifier dies before the
  server accepts it (the usual case: the send had not completed) → exactly 500 distinct, none twice;
- ``after_accept``: the worst case, the server accepted the message and the notifier died before
  it could settle the ledger → the one in-doubt message arrives twice, and only that one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from services.records import PROCUREMENT_EVENT, encode, now_iso
from services.store.db import Database
from services.store.models import AlertRow, LedgerEntry
from tests.support.stack import ArmswatchProcess, armswatch_env, count_rows, run_cli, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.faults]

TOTAL = 500
KILL_AT = 250
ALERT_ID = re.compile(r"alert: ([0-9a-f]{32})")


def _event(i: int) -> dict[str, Any]:
    return {
        "id": f"{i + 1:032x}",
        "article_id": f"{i + 100_000:032x}",
        "classifier_version": "crash-test",
        "buyer": "Kazakhstan",
        "buyer_iso": "KZ",
        "seller": "Turkey",
        "seller_iso": "TR",
        "system": "Bayraktar TB2",
        "category": "uav",
        "quantity": i + 1,
        "quantity_approx": False,
        "stage": "contract",
        "value": None,
        "evidence": f"Kazakhstan signed contract number {i} for Bayraktar TB2 drones.",
        "confidence": 0.9,
        "deal_key": f"KZ:bayraktartb2-lot{i:03d}:TR",
        "detected_at": now_iso(),
        "source": "Crash Test Wire",
        "language": "en",
        "article_url": f"https://wire.example/{i}",
        "article_title": f"Lot {i}",
        "published_at": None,
    }


async def _produce(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        for i in range(TOTAL):
            event = _event(i)
            await producer.send(topic, value=encode(PROCUREMENT_EVENT, event), key=event["deal_key"].encode())
        await producer.flush()
    finally:
        await producer.stop()


def _alert_ids(smtp: Any) -> list[str]:
    ids = []
    for message in list(smtp.messages):
        body = message.get_body(("plain",))
        found = ALERT_ID.search(str(body.get_content()) if body is not None else "")
        ids.append(found.group(1) if found else "?")
    return ids


def _ledger(url: str) -> dict[str, int]:
    db = Database(url, migrate_schema=False)
    try:
        with db.session() as session:
            rows = session.execute(
                select(LedgerEntry.status, func.count()).group_by(LedgerEntry.status)
            ).all()
            doubt = session.scalar(select(func.coalesce(func.sum(LedgerEntry.in_doubt), 0)))
        return {**{str(s): int(n) for s, n in rows}, "in_doubt": int(doubt or 0)}
    finally:
        db.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("kill_point", ["in_flight", "after_accept"])
def test_sigkill_mid_batch_then_restart_sends_every_alert_once(
    broker: Any, database_url: str, smtp_server: Any, tmp_path: Path, kill_point: str
) -> None:
    """500 alerts to one inbox, the notifier SIGKILLed at the 251st send and restarted: inbox = ledger = 500 alerts."""
    namespace = f"crash-{uuid.uuid4().hex[:8]}"
    env = armswatch_env(
        kafka_bootstrap=broker.bootstrap,
        database_url=database_url,
        topic_namespace=namespace,
        data_dir=str(tmp_path),
        notify_rate_per_channel="10000",
        notify_base_delay="0.2",
        allowed_hosts="127.0.0.1",
    )
    added = run_cli(env, "watch", "add", "everything", "--notify", smtp_server.mailto_url())
    assert added.returncode == 0, added.stderr
    asyncio.run(_produce(broker.bootstrap, f"{namespace}.procurement"))

    first = ArmswatchProcess(env, "worker", "notify", log_file=tmp_path / "first.log")
    killed = {"at": None}
    accept = smtp_server.handle_DATA

    async def handle_data(server: Any, session: Any, envelope: Any) -> str:
        process = first.process
        if killed["at"] is None and process is not None and len(smtp_server.messages) >= KILL_AT:
            if kill_point == "after_accept":
                reply = await accept(server, session, envelope)  # the server has the message...
            os.kill(process.pid, signal.SIGKILL)  # ...and the notifier dies before it hears back
            process.wait(10)
            killed["at"] = len(smtp_server.messages)
            return reply if kill_point == "after_accept" else "451 4.3.0 notifier gone"
        return await accept(server, session, envelope)

    smtp_server.handle_DATA = handle_data
    first.start()
    wait_until(lambda: killed["at"] is not None, 120, "the kill in the middle of the batch")
    assert first.stop() == -signal.SIGKILL  # already dead: this reaps it and closes its pipe
    before = _ledger(database_url)
    assert KILL_AT <= before.get("sent", 0) < TOTAL, before
    assert before.get("claimed", 0) == 1, f"one send in flight per channel: {before}"

    second = ArmswatchProcess(env, "worker", "notify", log_file=tmp_path / "second.log").start()
    try:
        wait_until(lambda: _ledger(database_url).get("sent", 0) == TOTAL, 120, "every alert settled")
        wait_until(lambda: len(set(_alert_ids(smtp_server))) == TOTAL, 30, "every alert in the inbox")
        time.sleep(3)  # nothing more may arrive
    finally:
        assert second.stop() == 0
    ids = _alert_ids(smtp_server)
    repeats = {k: n for k, n in Counter(ids).items() if n > 1}
    after = _ledger(database_url)
    report = {
        "broker": broker.name,
        "kill_point": kill_point,
        "inbox": len(ids),
        "distinct": len(set(ids)),
        "repeats": len(repeats),
        "ledger": after,
        "killed_after": killed["at"],
    }
    print("crash-test", json.dumps(report))
    (tmp_path / "crash-report.json").write_text(json.dumps(report))
    assert count_rows(database_url, AlertRow) == TOTAL
    assert len(set(ids)) == TOTAL and after == {"sent": TOTAL, "in_doubt": 1}
    assert second.find("delivery in doubt: claim taken over from a notifier that died mid-send")
    if kill_point == "in_flight":
        assert len(ids) == TOTAL and not repeats, "none twice"
    else:
        assert len(ids) == TOTAL + 1 and list(repeats.values()) == [2], "only the one in-doubt send repeats"
