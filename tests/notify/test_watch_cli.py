"""`armswatch watch add --backfill` and `armswatch watch test` as a user runs them (a child process, embedded defaults)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from services.notify.alerts import iso
from services.store.db import Database
from services.store.models import AlertRow
from services.store.readmodel import project_event
from tests.fixtures._support import free_port
from tests.support.cli import run_in_process
from tests.support.stack import armswatch_env, run_cli

from .conftest import SMTPServer, make_event


def _env(tmp_path: Path) -> dict[str, str]:
    return armswatch_env(
        data_dir=str(tmp_path), notify_base_delay="0.05", notify_max_attempts="2", allowed_hosts="127.0.0.1"
    )


def run(tmp_path: Path, *args: str) -> Result:
    """One command through the console entry point in this process, with the settings of `_env`."""
    return run_in_process(
        list(args),
        data_dir=str(tmp_path),
        notify_base_delay="0.05",
        notify_max_attempts="2",
        allowed_hosts="127.0.0.1",
    )


def test_watch_add_with_backfill_alerts_the_window_once(tmp_path: Path, smtp_server: SMTPServer) -> None:
    """Stored events of the last 30 days become the new watchlist's alerts (older ones not), listed by the command."""
    now = datetime.now(UTC)
    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    try:
        for stage, days in (("interest", 40), ("negotiation", 10), ("contract", 1)):
            with db.session() as session:
                project_event(session, make_event(stage=stage, detected_at=iso(now - timedelta(days=days))))
    finally:
        db.close()
    added = run_cli(
        _env(tmp_path),
        "watch",
        "add",
        "kz drones",
        "--buyer",
        "Kasachstan",
        "--system",
        "TB2",
        "--notify",
        smtp_server.url(),
        "--backfill",
        "30d",
    )
    assert added.returncode == 0, added.stderr
    assert "backfill over 30d: 2 alert(s) to send" in added.stdout
    assert "negotiation  (was: interest)" in added.stdout and "contract  (was: negotiation)" in added.stdout
    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    try:
        with db.session() as session:
            assert sorted(session.scalars(select(AlertRow.stage))) == ["contract", "negotiation"]
    finally:
        db.close()
    bad = run_cli(_env(tmp_path), "watch", "add", "x", "--backfill", "a month")
    assert bad.returncode == 2 and "--backfill" in bad.stderr


def test_watch_test_reports_each_channel(tmp_path: Path, smtp_server: SMTPServer) -> None:
    """A sample alert goes to every channel; each outcome is printed, redacted; a dead channel makes exit 1.

    The console entry point runs in this process here; the backfill test above runs a child.
    """
    dead = (
        f"mailto://user:topsecret@127.0.0.1:{free_port()}?from=a@example.org&to=b@example.org&mode=insecure"
    )
    added = run(
        tmp_path, "watch", "add", "t", "--buyer", "RS", "--notify", smtp_server.url(), "--notify", dead
    )
    assert added.exit_code == 0, added.stderr
    wid = added.stdout.split()[1]
    result = run(tmp_path, "watch", "test", wid)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("sent (1 attempt)")
    assert "failed (2 attempts)" in lines[1] and "topsecret" not in result.stdout
    [mail] = smtp_server.messages
    assert "Serbia" in str(mail["Subject"])
    text = mail.get_body(("plain",))
    assert text is not None and "test alert from armswatch" in str(text.get_content())
    only_ok = run(tmp_path, "watch", "add", "ok", "--notify", smtp_server.url())
    ok_id = only_ok.stdout.split()[1]
    assert run(tmp_path, "watch", "test", ok_id).exit_code == 0
    shown = json.loads(run(tmp_path, "watch", "show", wid).stdout)
    assert "topsecret" not in json.dumps(shown)
