"""Paused watchlists alert on nothing; `armswatch alerts` lists past alerts with each channel's outcome."""

from __future__ import annotations

import json
from typing import Any

from services.notify import ledger
from services.records import now_iso
from services.store import queries
from services.store.readmodel import project_watchlist
from tests.support.cli import run_in_process

from .conftest import add_watchlist, make_event


async def test_a_paused_watchlist_alerts_on_nothing_until_resumed(notifier: Any, store: Any) -> None:
    """Events while paused make no alert; after resume the next stage alerts."""
    record = add_watchlist(store, buyers=["KZ"], notify=["print://"])
    with store.session() as session:
        project_watchlist(session, record["id"], {**record, "paused": True}, now_iso())
    await notifier.on_event(make_event(stage="interest"), None)
    assert queries.alerts(store) == []
    with store.session() as session:
        project_watchlist(session, record["id"], {**record, "paused": False}, now_iso())
    await notifier.on_event(make_event(stage="contract"), None)
    assert [r["alert"]["stage"] for r in queries.alerts(store)] == ["contract"]


async def test_alerts_show_each_channel_outcome_newest_first(
    notifier: Any, store: Any, tmp_path: Any
) -> None:
    """Two alerts; the contract one sent on a channel and failed on another: both outcomes listed, redacted."""
    record = add_watchlist(store, name="kz watch", buyers=["KZ"], notify=["print://"])
    for stage, at in (("interest", "2026-01-05T10:00:00.000Z"), ("contract", "2026-01-06T10:00:00.000Z")):
        await notifier.on_event(make_event(stage=stage, detected_at=at), None)
    reports = queries.alerts(store)
    assert sorted(r["alert"]["stage"] for r in reports) == ["contract", "interest"]
    assert reports[0]["alert"]["created_at"] >= reports[1]["alert"]["created_at"], "newest first"
    newest = next(r["alert"]["id"] for r in reports if r["alert"]["stage"] == "contract")
    ledger.settle(store, newest, "print://", "sent", 1, None, shown="print://")
    secret = "tgram://123456789:AAHsecretsecretsecret/12345"
    ledger.settle(store, newest, secret, "failed", 3, "HTTP 401", shown="tgram://****/12345")
    assert queries.alerts(store, since="2999-01-01") == []
    assert queries.alerts(store, watchlist_id="another") == []
    reports = queries.alerts(store, watchlist_id=record["id"], since=now_iso()[:10])
    report = next(r for r in reports if r["alert"]["id"] == newest)
    assert report["watchlist_name"] == "kz watch"
    assert [(s["channel"], s["status"], s["attempts"]) for s in report["sends"]] == [
        ("print://", "sent", 1),
        ("tgram://****/12345", "failed", 3),
    ]
    assert "AAHsecret" not in json.dumps(report)
    shown = run_in_process(
        ["alerts", "--watchlist", "KZ WATCH"], database_url=store.url, data_dir=str(tmp_path)
    )
    assert shown.exit_code == 0, shown.stderr
    assert "contract     Kazakhstan ← Turkey: Bayraktar TB2  [kz watch]" in shown.stdout
    assert "    tgram://****/12345: failed (3 attempts): HTTP 401" in shown.stdout
    assert "    print://: sent (1 attempt)" in shown.stdout


def test_the_alerts_and_pause_commands(tmp_path: Any) -> None:
    """`alerts` with nothing yet exits 3; watchlists are paused and resumed by name; feeds paused, polled, resumed."""
    run = lambda *args: run_in_process(list(args), data_dir=str(tmp_path))  # noqa: E731
    assert run("alerts").exit_code == 3
    assert run("watch", "add", "Gulf jets", "--buyer", "QA", "--notify", "print://").exit_code == 0
    paused = run("watch", "pause", "gulf jets")
    assert paused.exit_code == 0 and "paused: Gulf jets" in paused.stdout
    assert json.loads(run("watch", "show", "Gulf jets").stdout)["paused"] is True
    assert run("watch", "resume", "Gulf jets").exit_code == 0
    assert json.loads(run("watch", "show", "Gulf jets").stdout)["paused"] is False
    silent = run("watch", "add", "Gulf jets", "--buyer", "AE")
    assert silent.exit_code == 0 and "no --notify channel" in silent.stderr
    twice = run("watch", "show", "Gulf jets")
    assert twice.exit_code == 2 and "2 watchlists are named 'Gulf jets'" in twice.stderr
    assert "no watchlist with id or name 'nope'" in run("alerts", "--watchlist", "nope").stderr
    assert run("feeds", "add", "https://example.org/rss.xml").exit_code == 0
    assert run("feeds", "pause", "1").exit_code == 0
    assert "PAUSED" in run("feeds", "list").stdout
    refused = run("feeds", "poll", "1")
    assert refused.exit_code == 2 and "is paused" in refused.stderr
    assert run("feeds", "resume", "1").exit_code == 0
    assert "due now" in run("feeds", "poll", "1").stdout
    assert "no feed with id 9" in run("feeds", "pause", "9").stderr


def test_watch_edit_changes_what_is_given_and_keeps_the_rest(tmp_path: Any) -> None:
    """Options given replace their part; --clear empties one; id, owner, created time and pause stay."""
    run = lambda *args: run_in_process(list(args), data_dir=str(tmp_path))  # noqa: E731
    assert (
        run(
            "watch", "add", "Baltic", "--buyer", "EE", "--stage", "contract", "--keyword", "howitzer"
        ).exit_code
        == 0
    )
    before = json.loads(run("watch", "show", "Baltic").stdout)
    assert run("watch", "pause", "Baltic").exit_code == 0
    changed = run("watch", "edit", "Baltic", "--buyer", "Latvia", "--buyer", "LT", "--clear", "keywords")
    assert changed.exit_code == 0, changed.stderr
    after = json.loads(run("watch", "show", before["id"]).stdout)
    assert after["buyers"] == ["LT", "LV"] and after["keywords"] == [] and after["stage"] == "contract"
    assert (after["id"], after["created_at"], after["owner"]) == (before["id"], before["created_at"], "admin")
    assert after["paused"] is True
    renamed = run("watch", "edit", before["id"], "--name", "Baltic states", "--clear", "stage")
    assert renamed.exit_code == 0 and "changed: Baltic states" in renamed.stdout
    assert json.loads(run("watch", "show", "baltic states").stdout)["stage"] is None
    nothing = run("watch", "edit", "Baltic states")
    assert nothing.exit_code == 2 and "give at least one option" in nothing.stderr
    bad = run("watch", "edit", "Baltic states", "--stage", "someday")
    assert bad.exit_code == 2 and "--stage 'someday'" in bad.stderr


def test_the_sample_alert_says_it_is_a_test_in_its_subject() -> None:
    """`watch test` sends an alert whose subject starts with TEST, on every channel's rendering."""
    from services.notify.render import render
    from services.notify.sample import sample_view
    from services.notify.watchlists import build_watchlist

    view = sample_view(build_watchlist(name="gulf", owner="admin", buyers=["QA"]))
    for kind in ("email", "slack", "telegram", "text"):
        assert render(view, kind).title.startswith("[armswatch] TEST — Qatar"), kind


def test_deals_show_the_stage_path_only_when_there_is_one(tmp_path: Any) -> None:
    """One stage: 'stage interest'; two: 'stage contract (interest → contract)'."""
    from services.store.db import Database
    from services.store.readmodel import project_event

    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    with db.session() as session:
        project_event(session, make_event(stage="interest"))
    db.close()
    first = run_in_process(["deals"], data_dir=str(tmp_path)).stdout
    assert "stage interest  sources" in first and "(interest)" not in first
    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    with db.session() as session:
        project_event(session, make_event(stage="contract", detected_at="2026-01-06T10:00:00.000Z"))
    db.close()
    assert "stage contract (interest → contract)" in run_in_process(["deals"], data_dir=str(tmp_path)).stdout
