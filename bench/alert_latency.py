"""Benchmark: article produced on armswatch.articles → alert email accepted by a local SMTP server, on the embedded stack.

Starts ``armswatch up`` (embedded Tansu broker, SQLite) as a child process with a watchlist that
matches everything and mails a local aiosmtpd server, produces ``--articles`` articles (each one
procurement event of its own deal) at ``--rate`` articles a second, and times each article from
its produce call to the SMTP server accepting its alert. The baseline, in the same run and on the
same broker: the broker's own produce → consume latency for as many small records at the same rate.
Goal: p50 ≤ 2 s, p99 ≤ 5 s.

    python bench/alert_latency.py [--articles 500] [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from services.records import ARTICLE, encode, now_iso  # noqa: E402
from tests.fixtures._support import free_port  # noqa: E402
from tests.support.stack import ArmswatchProcess, armswatch_env, run_cli  # noqa: E402

BUYERS = [
    "Chile",
    "Peru",
    "Ghana",
    "Kenya",
    "Nigeria",
    "Egypt",
    "Morocco",
    "Algeria",
    "Tunisia",
    "Senegal",
    "Brazil",
    "Argentina",
    "Colombia",
    "Ecuador",
    "Uruguay",
    "Paraguay",
    "Bolivia",
    "Mexico",
    "Canada",
    "Norway",
    "Sweden",
    "Finland",
    "Denmark",
    "Estonia",
    "Latvia",
    "Lithuania",
    "Poland",
    "Romania",
    "Bulgaria",
    "Greece",
    "Croatia",
    "Serbia",
    "Hungary",
    "Slovakia",
    "Austria",
    "Portugal",
    "Spain",
    "Italy",
    "Ireland",
    "Belgium",
    "Netherlands",
    "Switzerland",
    "Kazakhstan",
    "Uzbekistan",
    "Mongolia",
    "Vietnam",
    "Thailand",
    "Malaysia",
    "Indonesia",
    "Philippines",
]
ITEMS = (
    ("Bayraktar TB2", "drones", "Turkey"),
    ("Leopard 2A7", "tanks", "Germany"),
    ("K9 Thunder", "howitzers", "South Korea"),
    ("Rafale", "fighter jets", "France"),
    ("Black Hawk", "helicopters", "the United States"),
    ("CAESAR", "howitzers", "France"),
    ("Gripen", "fighter jets", "Sweden"),
    ("Piranha", "armoured vehicles", "Switzerland"),
    ("KF-21", "fighter jets", "South Korea"),
    ("C-390", "transport aircraft", "Brazil"),
)
URL = re.compile(r"https://bench\.example/a/(\d+)")


class Inbox:
    """An aiosmtpd handler that notes when each article's alert was accepted."""

    def __init__(self) -> None:
        self.accepted: dict[int, float] = {}
        self.messages = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.time()
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        part = message.get_body(("plain",))
        text = str(part.get_content()) if part is not None else ""
        with self.lock:
            self.messages += 1
            for found in URL.finditer(text):
                self.accepted.setdefault(int(found.group(1)), at)
        return "250 OK"


def article(i: int) -> dict[str, Any]:
    """Article i: one buyer and one item of its own, so one deal and one alert each."""
    buyer = BUYERS[i % len(BUYERS)]
    system, noun, seller = ITEMS[(i // len(BUYERS)) % len(ITEMS)]
    url = f"https://bench.example/a/{i}"
    text = f"{buyer} has signed a contract to buy {i % 40 + 2} {system} {noun} from {seller}, the defence ministry said."
    return {
        "id": hashlib.sha256(url.encode()).hexdigest()[:32],
        "url": url,
        "feed_url": None,
        "source": "Bench Wire",
        "title": f"{buyer} signs contract for {system} {noun}",
        "summary": "",
        "text": text,
        "language": "en",
        "published_at": None,
        "fetched_at": now_iso(),
    }


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def baseline(bootstrap: str, count: int, rate: float) -> list[float]:
    """The broker's own produce → consume latency at the same rate, in seconds."""
    topic = f"bench-baseline-{int(time.time())}"
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")
    await consumer.start()
    latencies: list[float] = []

    async def consume() -> None:
        async for message in consumer:
            if message.value != b"warm-up":
                latencies.append(time.time() - json.loads(message.value)["t"])
            if len(latencies) >= count:
                return

    reader = asyncio.create_task(consume())
    try:
        for i in range(count):
            await producer.send(topic, json.dumps({"i": i, "t": time.time()}).encode())
            await asyncio.sleep(1 / rate)
        await asyncio.wait_for(reader, timeout=60)
    finally:
        await producer.stop()
        await consumer.stop()
    return latencies


async def produce(bootstrap: str, topic: str, count: int, rate: float) -> dict[int, float]:
    """Produce the articles at `rate` a second; return each one's produce time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    sent: dict[int, float] = {}
    try:
        for i in range(count):
            record = article(i)
            sent[i] = time.time()
            await producer.send(topic, value=encode(ARTICLE, record), key=record["id"].encode())
            await asyncio.sleep(1 / rate)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def main() -> int:
    """Run the benchmark and print its figures; exit 1 when the goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="Articles produced a second.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for the last alert.")
    args = parser.parse_args()

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with tempfile.TemporaryDirectory(prefix="armswatch-bench-") as tmp:
        env = armswatch_env(
            data_dir=tmp,
            api_port="0",
            notify_rate_per_channel="10000",
            notify_base_delay="0.2",
            allowed_hosts="127.0.0.1",  # the local SMTP server
        )
        mailto = (
            f"mailto://127.0.0.1:{smtp.port}/?mode=insecure&from=bench@example.org&to=analyst@example.org"
        )
        added = run_cli(env, "watch", "add", "everything", "--notify", mailto)
        if added.returncode != 0:
            print(added.stderr, file=sys.stderr)
            return 1
        stack = ArmswatchProcess(env, "up", log_file=Path(tmp) / "armswatch.log").start()
        try:
            bootstrap = stack.wait_for_log("armswatch running")["bootstrap"]
            time.sleep(2)  # let the consumer groups settle before timing
            base = asyncio.run(baseline(bootstrap, args.articles, args.rate))
            sent = asyncio.run(produce(bootstrap, "armswatch.articles", args.articles, args.rate))
            deadline = time.monotonic() + args.timeout
            while len(inbox.accepted) < len(sent) and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            stack.stop()
            smtp.stop()
    latencies = [inbox.accepted[i] - sent[i] for i in sent if i in inbox.accepted]
    if not latencies:
        print("no alert arrived", file=sys.stderr)
        return 1
    p50, p99 = pct(latencies, 0.50), pct(latencies, 0.99)
    b50, b99 = pct(base, 0.50), pct(base, 0.99)
    print(f"articles produced      {len(sent)} at {args.rate:g}/s")
    print(f"alerts in the inbox    {len(latencies)} ({inbox.messages} emails)")
    print(
        f"article → email        p50 {p50:.3f} s   p99 {p99:.3f} s   mean {statistics.fmean(latencies):.3f} s"
    )
    print(f"baseline produce→consume p50 {b50 * 1000:.1f} ms   p99 {b99 * 1000:.1f} ms")
    print(f"ratio to baseline      p50 ×{p50 / b50:.0f}   p99 ×{p99 / b99:.0f}")
    met = p50 <= 2.0 and p99 <= 5.0 and len(latencies) == len(sent)
    print(f"goal (p50 ≤ 2 s, p99 ≤ 5 s, every article alerted): {'met' if met else 'missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
