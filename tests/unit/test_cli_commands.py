"""The command line on the embedded defaults: feeds, watchlists (through the outbox), users, config.

Most run the console entry point in this process; `config show` runs a real child process.
"""

from __future__ import annotations

import json

from services.store import archive
from services.store.db import Database
from tests.support.cli import run_in_process
from tests.support.stack import armswatch_env, run_cli


def run(tmp_path, *args):
    """One command through the console entry point, in this process, on a data dir in tmp_path."""
    return run_in_process(list(args), data_dir=str(tmp_path))


def test_feeds_add_list_remove(tmp_path):
    """A feed added shows in the list with its interval, and is gone after remove."""
    added = run(tmp_path, "feeds", "add", "https://example.org/rss.xml?utm_source=x", "--interval", "30m")
    assert added.exit_code == 0 and "(every 1800s)" in added.stdout, "the interval is shown with its unit"
    listed = run(tmp_path, "feeds", "list").stdout
    assert "https://example.org/rss.xml" in listed and "every 1800s" in listed
    again = run(tmp_path, "feeds", "add", "https://example.org/rss.xml?utm_source=x")
    assert again.exit_code != 0 and "already" in again.stderr
    assert run(tmp_path, "feeds", "remove", "1").exit_code == 0
    assert "no feeds yet" in run(tmp_path, "feeds", "list").stdout


def test_watchlist_goes_to_the_outbox_and_the_read_model(tmp_path):
    """With no broker running, `watch add` archives the record for the next start and lists it at once."""
    added = run(
        tmp_path,
        "watch",
        "add",
        "KZ drones",
        "--buyer",
        "Kazakhstan",
        "--category",
        "uav",
        "--stage",
        "contract",
        "--notify",
        "tgram://123456789:AAHsecretsecretsecret/12345",
    )
    assert added.exit_code == 0, added.stderr
    wid = added.stdout.split()[1]
    assert "KZ drones" in run(tmp_path, "watch", "list").stdout
    shown = json.loads(run(tmp_path, "watch", "show", wid).stdout)
    assert shown["buyers"] == ["KZ"] and shown["stage"] == "contract"
    assert "AAHsecretsecretsecret" not in json.dumps(shown), "notify URLs are shown redacted"
    db = Database(f"sqlite:///{tmp_path / 'armswatch.db'}")
    pending = list(archive.records(db, unpublished_only=True))
    assert [r.topic for r in pending] == ["armswatch.watchlists"]
    assert run(tmp_path, "watch", "remove", wid).exit_code == 0
    assert "no watchlists yet" in run(tmp_path, "watch", "list").stdout
    tombstone = list(archive.records(db, unpublished_only=True))[-1]
    assert tombstone.value is None and tombstone.key == wid.encode()
    db.close()


def test_users_add_prints_a_token_once_and_stores_only_its_hash(tmp_path):
    """The token is printed, never stored in clear."""
    token = run(tmp_path, "users", "add", "alice").stdout.strip()
    assert token.startswith("aw_") and len(token) > 30
    assert token.encode() not in (tmp_path / "armswatch.db").read_bytes()
    assert "alice" in run(tmp_path, "users", "list").stdout
    assert run(tmp_path, "users", "add", "alice").exit_code != 0


def test_config_show_redacts_secrets(tmp_path):
    """Passwords in the database URL and API keys never print."""
    env = armswatch_env(
        data_dir=str(tmp_path),
        database_url="postgresql://armswatch:hunter2@db.example:5432/aw",
        llm_api_key="sk-verysecret",
    )
    out = run_cli(env, "config", "show").stdout
    assert "hunter2" not in out and "sk-verysecret" not in out
    assert "ARMSWATCH_DATABASE_URL=postgresql://armswatch:***@db.example:5432/aw" in out
    assert "ARMSWATCH_LLM_API_KEY=***" in out
