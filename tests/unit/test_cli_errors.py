"""Bad input on the command line: one line on stderr naming what is wrong, and a non-zero exit code."""

from __future__ import annotations

import pytest

from tests.support.cli import run_in_process
from tests.support.stack import armswatch_env, run_cli


@pytest.fixture
def env(tmp_path):
    """A private data dir for the command."""
    return armswatch_env(data_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["feeds", "add", "not-a-url"], "not an http(s) URL"),
        (["feeds", "add", "https://example.org/feed", "--interval", "soon"], "--interval"),
        (["watch", "add", "x", "--stage", "sometime"], "--stage 'sometime'"),
        (["watch", "add", "x", "--buyer", "Atlantis"], "unknown country"),
        (["watch", "add", "x", "--category", "spaceship"], "--category"),
        (["watch", "add", "x", "--notify", "nonsense://what"], "--notify"),
        (["watch", "show", "nope"], "no watchlist"),
        (["feeds", "remove", "99"], "no feed with id 99"),
        (
            ["feeds", "add", "https://example.org/feed", "--interval", "99999999999999999999d"],
            "POLL_MAX_INTERVAL",
        ),
        (["feeds", "add", "https://example.org/feed", "--interval", "5s"], "ARMSWATCH_POLL_MIN_INTERVAL"),
        (
            ["feeds", "add", "http://127.0.0.1:8080/feed"],
            "loopback address, refused (allow it with ARMSWATCH_ALLOWED_HOSTS)",
        ),
        (["feeds", "add", "http://169.254.169.254/latest/"], "metadata address, refused"),
        (["watch", "add", "x", "--notify", "json://10.0.0.3/hook"], "private address, refused"),
        (["replay", "--reclassify", "--since", "notadate"], "--since 'notadate' is not a date"),
        (["replay", "--watchlist", "w", "--until", "2026-13-01"], "--until '2026-13-01' is not a date"),
        (
            ["watch", "add", "x", "--buyer", "KZ", "--notify", "print://", "--backfill", "100000000d"],
            "longer than",
        ),
    ],
)
def test_bad_input_is_one_line_and_non_zero(tmp_path, args, needle):
    """Each bad call exits non-zero with exactly one line on stderr (the entry point, run in this process)."""
    result = run_in_process(args, data_dir=str(tmp_path))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert lines[0].startswith("Error: ")


def test_bad_setting_names_variable_and_value(tmp_path):
    """A bad ARMSWATCH_* value is reported with its variable name."""
    env = armswatch_env(data_dir=str(tmp_path), topic_partitions="many")
    result = run_cli(env, "config", "show")
    assert result.returncode == 2
    assert "ARMSWATCH_TOPIC_PARTITIONS='many'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_classifier_backend_is_one_line(tmp_path):
    """ARMSWATCH_CLASSIFIER names an entry point of armswatch.classifiers; another name is refused."""
    env = armswatch_env(data_dir=str(tmp_path), classifier="crystal-ball")
    result = run_cli(env, "classify", "/dev/null")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Error: config: ARMSWATCH_CLASSIFIER='crystal-ball': unknown classifier (known: llm, rules)"
    ]


def test_a_data_dir_that_cannot_be_made_is_one_line(tmp_path):
    """ARMSWATCH_DATA_DIR under a path that cannot hold a directory: one line, exit 1."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_cli(armswatch_env(data_dir=str(blocker / "data")), "feeds", "list")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: store: cannot use database"), result.stderr
