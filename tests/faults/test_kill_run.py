"""10,000 articles through the embedded stack while it is SIGKILLed, its broker killed, and hostile input poured in.

Ten load feeds of 1,000 items each (twenty of them Kazakhstan contracts for twenty systems, the rest
news without a procurement event) and the forty hostile feeds of ``tests/data/hostile`` are polled by
`armswatch up`. Mid-run the whole process is SIGKILLed and restarted; later its embedded broker alone
is killed, and the stack started again. Meanwhile garbage records go onto armswatch.articles and
malformed requests to the API. At the end every load article is in the read model and once on
armswatch.articles, each of the twenty expected alerts is in the SMTP inbox once, and the API never
answered a 5xx.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from services.config import load_settings
from services.ingest.opml import OpmlFeed, write_opml
from services.ingest.urls import article_id
from services.store.db import Database
from services.store.models import ArticleRow
from tests.support.stack import (
    ArmswatchProcess,
    armswatch_env,
    count_rows,
    pid_alive,
    run_cli,
    topic_values,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.faults]

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
FEEDS, PER_FEED = 10, 1000
SYSTEMS = (
    "Bayraktar TB2", "Su-30SM", "T-90", "Mi-17", "Anka", "S-400", "Tor-M2", "BTR-82A", "Yak-130", "A400M",
    "Wing Loong II", "Kornet", "BMP-3", "Ka-52", "L-39NG", "Hürjet", "Leopard 2", "M1 Abrams", "K2", "Rafale",
)  # fmt: skip
EVERY = FEEDS * PER_FEED // len(SYSTEMS)  # one Kazakhstan contract every 500 items


def _load_feed(feed: int) -> tuple[bytes, list[str]]:
    """One load feed and its item links: filler news, and a Kazakhstan contract every EVERY items."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items, links = [], []
    for i in range(PER_FEED):
        n = feed * PER_FEED + i
        link = f"https://load.example.org/{feed}/{i}"
        if n % EVERY == 0:
            system = SYSTEMS[n // EVERY]
            title = f"Kazakhstan orders {system}"
            text = f"Kazakhstan signed a contract for 12 {system} with the manufacturer, the defence ministry said."
        else:
            title = f"Ministers meet, session {n}"
            text = f"Defence ministers met in Brussels on day {n} to discuss joint exercises and training."
        when = format_datetime(start + timedelta(minutes=n), usegmt=True)
        items.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{when}</pubDate><description>{text}</description></item>"
        )
        links.append(link)
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Load desk</title>'
        f"<link>https://load.example.org/</link><description>load</description>{''.join(items)}</channel></rss>"
    )
    return body.encode("utf-8"), links


def _serve_load(feed_server: Any) -> tuple[list[str], set[str]]:
    """Serve the load feeds; return their URLs and the ids of their articles."""
    urls: list[str] = []
    load_ids: set[str] = set()
    for feed in range(FEEDS):
        body, links = _load_feed(feed)
        feed_server.add(f"/load-{feed}.rss", body)
        urls.append(feed_server.url(f"/load-{feed}.rss"))
        load_ids |= {article_id(link) for link in links}
    return urls, load_ids


def _articles_on_topic(bootstrap: str, topic: str) -> Counter[str]:
    """How many times each article id is on the topic (the garbage we put there ourselves left out)."""
    seen: Counter[str] = Counter()
    for value in asyncio.run(topic_values(bootstrap, topic, idle_ms=3000)):
        try:
            seen[json.loads(value)["id"]] += 1
        except (ValueError, KeyError, TypeError):
            continue
    return seen


async def _garbage(bootstrap: str, topic: str, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        rng = random.Random(7)
        for i in range(n):
            value = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
            await producer.send_and_wait(
                topic, value=[value, b"{}", b'{"id": 1}', b"null"][i % 4], key=b"junk"
            )
    finally:
        await producer.stop()


def _junk_requests(api: str, token: str, n: int) -> tuple[int, int]:
    """`n` malformed requests to the live API: (tried, answered with a 5xx)."""
    rng = random.Random(11)
    bodies = [
        b"",
        b"{",
        b"[]",
        b'{"name": ""}',
        b'{"name": "x", "stage": 5}',
        b"\xff\xfe\x00",
        b'{"notify": ["json://10.0.0.1/"]}',
    ]
    paths = [
        "/watchlists",
        "/watchlists/%00",
        "/deals?limit=-5",
        "/events?buyer=%ff",
        "/websub/0",
        "/websub/9" * 30,
    ]
    server_errors = 0
    with httpx.Client(timeout=10) as client:
        for i in range(n):
            method = rng.choice(["GET", "POST", "DELETE", "PUT"])
            headers = {"Authorization": f"Bearer {token}"} if i % 3 else {}
            response = client.request(
                method, api + rng.choice(paths), content=rng.choice(bodies), headers=headers
            )
            server_errors += response.status_code >= 500
    return n, server_errors


def _stored(database_url: str) -> set[str]:
    """The article ids in the read model."""
    db = Database(database_url)
    try:
        with db.session() as session:
            return set(session.scalars(select(ArticleRow.id)))
    finally:
        db.close()


def _tracebacks(process: ArmswatchProcess) -> int:
    """Unhandled errors in a process's log (agents cancelled at shutdown are no crash)."""
    return sum(
        "Traceback (most recent call last)" in line and "CancelledError" not in line for line in process.raw
    )


def test_embedded_run_survives_kills_and_hostile_input(
    smtp_server: Any, feed_server: Any, tmp_path: Path, fault_report: Counter[str]
) -> None:
    """Kill `up`, kill its broker, pour in garbage: every article once, every alert once, no 5xx."""
    urls, load_ids = _serve_load(feed_server)
    hostile = sorted(p for p in HOSTILE.iterdir() if p.name != "README.md")
    for path in hostile:
        feed_server.add(f"/hostile/{path.name}", path.read_bytes())
        urls.append(feed_server.url(f"/hostile/{path.name}"))
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(write_opml([OpmlFeed(url=u, title=None) for u in urls], created=datetime.now(UTC)))
    port = _free_port()
    env = armswatch_env(
        data_dir=str(tmp_path / "data"),
        allowed_hosts="127.0.0.1",
        api_port=str(port),
        poll_tick="0.2",
        notify_base_delay="0.2",
        notify_outage_retry="1",
        shutdown_timeout="5",
    )
    database_url = load_settings(data_dir=tmp_path / "data").effective_database_url
    assert run_cli(env, "feeds", "import", str(opml), "--interval", "1h").returncode == 0
    assert (
        run_cli(env, "watch", "add", "kz", "--buyer", "KZ", "--notify", smtp_server.mailto_url()).returncode
        == 0
    )
    token = run_cli(env, "users", "add", "fuzz").stdout.strip()
    crashes = 0

    first = ArmswatchProcess(env, "up", log_file=tmp_path / "first.log").start(ready_timeout=90)
    tansu = int(first.wait_for_log("tansu started")["pid"])
    wait_until(lambda: count_rows(database_url, ArticleRow) >= 2500, 240, "a quarter of the articles")
    first.stop(signal.SIGKILL)
    wait_until(lambda: not pid_alive(tansu), 15, "the embedded broker to die with its parent")
    crashes += _tracebacks(first)

    second = ArmswatchProcess(env, "up", log_file=tmp_path / "second.log").start(ready_timeout=120)
    tansu = int(second.wait_for_log("tansu started")["pid"])
    bootstrap = second.wait_for_log("armswatch running")["bootstrap"]
    asyncio.run(_garbage(bootstrap, "armswatch.articles", 40))
    tried, server_errors = _junk_requests(f"http://127.0.0.1:{port}", token, 200)
    wait_until(lambda: count_rows(database_url, ArticleRow) >= 6000, 240, "most of the articles")
    os.kill(
        tansu, signal.SIGKILL
    )  # the broker alone: the stack notices, stops in bounded time, loses nothing
    second.wait_for_log("embedded broker stopped; armswatch stops (start it again: nothing is lost)", 15)
    assert second.stop(signal.SIGTERM, timeout=60) == 1
    crashes += _tracebacks(second)

    third = ArmswatchProcess(env, "up", log_file=tmp_path / "third.log").start(ready_timeout=120)
    try:
        bootstrap = third.wait_for_log("armswatch running")["bootstrap"]

        wait_until(lambda: load_ids <= _stored(database_url), 420, "every load article in the read model")
        smtp_server.wait_for(len(SYSTEMS), timeout=180)
        time.sleep(3)  # nothing more may arrive
        on_topic = _articles_on_topic(bootstrap, "armswatch.articles")
    finally:
        assert third.stop(signal.SIGTERM) == 0
    crashes += _tracebacks(third)

    subjects = Counter(str(m["Subject"]) for m in smtp_server.messages)
    lost = len(load_ids - _stored(database_url))
    missing_on_topic = len([i for i in load_ids if on_topic[i] == 0])
    twice_on_topic = len([i for i in load_ids if on_topic[i] > 1])
    duplicates = sum(n - 1 for n in subjects.values())
    fault_report.update(
        articles=len(load_ids),
        lost=lost + missing_on_topic,
        alerts_expected=len(SYSTEMS),
        sent=len(smtp_server.messages),
        duplicates=duplicates + twice_on_topic,
        hostile=len(hostile) + 40 + tried,
        crashes=crashes,
        server_errors=server_errors,
    )
    assert (lost, missing_on_topic, twice_on_topic) == (0, 0, 0)
    assert len(subjects) == len(SYSTEMS) and duplicates == 0, subjects
    assert all(any(s in subject for subject in subjects) for s in SYSTEMS), subjects
    assert server_errors == 0
    assert crashes == 0, "a traceback in a log"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_workers_on_kafka_and_postgresql_survive_being_killed_in_turn(
    kafka_broker: Any,
    database_url: str,
    smtp_server: Any,
    feed_server: Any,
    tmp_path: Path,
    fault_report: Counter[str],
) -> None:
    """ingest, classify and notify as workers of their own on Apache Kafka and PostgreSQL, each SIGKILLed and
    restarted mid-run (ingest while it produces): every load article in the read model and on the topic, every
    alert once."""
    urls, load_ids = _serve_load(feed_server)
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(write_opml([OpmlFeed(url=u) for u in urls], created=datetime.now(UTC)))
    namespace = f"kill-{os.getpid()}-{int(time.time())}"
    env = armswatch_env(
        kafka_bootstrap=kafka_broker.bootstrap,
        database_url=database_url,
        topic_namespace=namespace,
        data_dir=str(tmp_path / "data"),
        allowed_hosts="127.0.0.1",
        api_port="0",
        poll_tick="0.2",
        notify_base_delay="0.2",
        shutdown_timeout="5",
    )
    assert run_cli(env, "feeds", "import", str(opml), "--interval", "1h").returncode == 0
    assert (
        run_cli(env, "watch", "add", "kz", "--buyer", "KZ", "--notify", smtp_server.mailto_url()).returncode
        == 0
    )
    workers = {
        role: ArmswatchProcess(env, "worker", role, log_file=tmp_path / f"{role}-1.log").start(
            ready_timeout=120
        )
        for role in ("classify", "notify", "ingest")
    }
    crashes = 0
    # ingest dies while it produces: the first feed is polled, the others are in flight (their leases expire)
    workers["ingest"].wait_for_log("feed polled", 120)
    workers["ingest"].stop(signal.SIGKILL)
    crashes += _tracebacks(workers["ingest"])
    workers["ingest"] = ArmswatchProcess(env, "worker", "ingest", log_file=tmp_path / "ingest-2.log").start(
        ready_timeout=120
    )
    for n, (role, at) in enumerate((("classify", 2500), ("notify", 7500)), start=2):
        wait_until(lambda at=at: count_rows(database_url, ArticleRow) >= at, 300, f"{at} articles")
        workers[role].stop(signal.SIGKILL)
        crashes += _tracebacks(workers[role])
        workers[role] = ArmswatchProcess(env, "worker", role, log_file=tmp_path / f"{role}-{n}.log").start(
            ready_timeout=120
        )
    try:
        wait_until(lambda: load_ids <= _stored(database_url), 420, "every load article in the read model")
        smtp_server.wait_for(len(SYSTEMS), timeout=180)
        time.sleep(3)
        on_topic = _articles_on_topic(kafka_broker.bootstrap, f"{namespace}.articles")
    finally:
        for process in workers.values():
            assert process.stop(signal.SIGTERM, timeout=60) == 0
            crashes += _tracebacks(process)
    subjects = Counter(str(m["Subject"]) for m in smtp_server.messages)
    lost = len(load_ids - _stored(database_url)) + len([i for i in load_ids if on_topic[i] == 0])
    duplicates = sum(n - 1 for n in subjects.values())
    fault_report.update(
        articles=len(load_ids),
        lost=lost,
        alerts_expected=len(SYSTEMS),
        sent=len(smtp_server.messages),
        duplicates=duplicates,
        crashes=crashes,
    )
    assert lost == 0
    assert len(subjects) == len(SYSTEMS) and duplicates == 0, subjects
    assert crashes == 0, "a traceback in a log"
