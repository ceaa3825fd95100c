"""Bad input on the command line: one line on stderr naming what is wrong, and a non-zero exit code."""

from __future__ import annotations

import pytest

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
    ],
)
def test_bad_input_is_one_line_and_non_zero(env, args, needle):
    """Each bad call exits non-zero with exactly one line on stderr."""
    result = run_cli(env, *args)
    assert result.returncode != 0
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
