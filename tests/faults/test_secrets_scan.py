"""A run with secret-bearing URLs leaves no secret anywhere but the tables that must keep them.

Feeds and channels carry passwords, bot tokens, webhook tokens and header values. After a whole
embedded run (poll, classify, alert, deliver, every channel failing or sending) every log line, every
record produced on a topic and every CLI and API output is scanned for each secret.

Two places keep them, because they are where the secret is defined: the feeds table (a feed's URL)
and armswatch.watchlists (a watchlist's channels, which a notifier in another process must read).
"""

from __future__ import annotations

import json
import signal
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from services.store.db import Database
from services.store.models import EventLog, LedgerEntry
from tests.support.stack import ArmswatchProcess, armswatch_env, count_rows, run_cli, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.faults]

SECRETS = {
    "feed password": "fpw9Secret1",
    "smtp password": "spw9Secret2",
    "telegram token": "tgSecret3xAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "slack token": "SLACKSECRET4TOKENXXXXXXX",
    "json password": "jpw9Secret5",
    "header value": "hdrSecret6",
}

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Private desk</title><link>https://private.example.org/</link>
<description>d</description>
<item><title>Kazakhstan signs for Bayraktar TB2 drones</title>
<link>https://private.example.org/kz-tb2</link><guid>kz-tb2-secret-scan</guid>
<description>Kazakhstan signed a contract with Turkey for 12 Bayraktar TB2 drones, the defence ministry said.</description>
</item></channel></rss>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _found(text: str) -> list[str]:
    return [name for name, secret in SECRETS.items() if secret in text or quote(secret, safe="") in text]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_secret_in_logs_topics_cli_or_api(
    database_url, smtp_server, feed_server, tmp_path: Path, fault_report: Counter[str]
) -> None:
    """Logs, topic records, `feeds list/export`, `watch list/show`, `deals`, `events`, `config show`, the API: clean."""
    feed_server.add("/private.rss", FEED)
    port = _free_port()
    env = armswatch_env(
        database_url=database_url,
        data_dir=str(tmp_path),
        allowed_hosts="127.0.0.1",
        api_port=str(port),
        poll_tick="0.2",
        notify_max_attempts="1",
        feed_alerts_notify=f"json://ops:{SECRETS['json password']}@127.0.0.1:9/feed-health",
    )
    # the internet channels go to a dead local proxy: they fail at once, their tokens in the request URL
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"
    env["NO_PROXY"] = "127.0.0.1,localhost"
    feed_url = feed_server.url("/private.rss").replace(
        "http://", f"http://reader:{SECRETS['feed password']}@"
    )
    smtp = smtp_server.mailto_url().replace("mailto://", f"mailto://alerts:{SECRETS['smtp password']}@")
    channels = [
        smtp,
        f"tgram://123456789:{SECRETS['telegram token']}/12315544/",
        f"slack://T1JJ3T3L2/A1BRTD4JD/{SECRETS['slack token']}",
        f"json://hook:{SECRETS['json password']}@127.0.0.1:9/alerts?+X-Token={SECRETS['header value']}",
    ]
    outputs: list[str] = []

    def cli(*args: str) -> str:
        result = run_cli(env, *args)
        outputs.append(result.stdout + result.stderr)
        return result.stdout

    cli("feeds", "add", feed_url)
    token = cli("users", "add", "alice").strip()
    auth = {"Authorization": f"Bearer {token}"}
    stack = ArmswatchProcess(env, "up", log_file=tmp_path / "up.log").start()
    try:
        api = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{api}/healthz", timeout=2).status_code == 200, 30, "the API")
        created = httpx.post(
            f"{api}/watchlists",
            json={"name": "kz", "buyers": ["KZ"], "notify": channels},
            headers=auth,
            timeout=10,
        )
        assert created.status_code == 201, created.text
        outputs.append(created.text)
        wl = created.json()["id"]
        wait_until(lambda: count_rows(database_url, LedgerEntry) >= len(channels), 120, "every channel tried")
        for path in ("/watchlists", f"/watchlists/{wl}", "/deals", "/events"):
            outputs.append(httpx.get(f"{api}{path}", headers=auth, timeout=10).text)
        outputs.append(httpx.post(f"{api}/watchlists/{wl}/test", headers=auth, timeout=60).text)
    finally:
        assert stack.stop(signal.SIGTERM) == 0
    for args in (
        ("feeds", "list"),
        ("feeds", "export"),
        ("watch", "list"),
        ("watch", "show", wl),
        ("deals",),
        ("events", "--json"),
        ("quarantine",),
        ("config", "show"),
    ):
        cli(*args)
    logs = "".join(stack.raw)
    db = Database(database_url)
    with db.session() as session:
        records = [
            (topic, (value or b"").decode("utf-8", "replace"))
            for topic, value in session.execute(select(EventLog.topic, EventLog.value))
        ]
        ledger = [str(row.error or "") + str(row.channel) for row in session.scalars(select(LedgerEntry))]
    db.close()
    assert {t for t, _ in records} >= {"armswatch.articles", "armswatch.alerts", "armswatch.deliveries"}
    leaks = {
        "log lines": _found(logs),
        "topic records": sorted(
            {
                f"{topic}: {name}"
                for topic, value in records
                if topic != "armswatch.watchlists"
                for name in _found(value)
            }
        ),
        "delivery ledger": sorted({name for row in ledger for name in _found(row)}),
        "CLI and API output": sorted({name for out in outputs for name in _found(out)}),
    }
    fault_report.update(secrets=sum(len(found) for found in leaks.values()))
    assert leaks == {k: [] for k in leaks}, json.dumps(leaks)
    assert "reader:***@" in "".join(outputs), "the feed URL is shown, redacted"
    assert any(_found(value) for topic, value in records if topic == "armswatch.watchlists"), (
        "the scan sees secrets"
    )
