"""Tests of `armswatch classify` and `armswatch eval`, including exact agreement with score.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from services.cli.classify_cmd import classify_command, eval_command
from tests.classify.conftest import DEV_SET, SCORE_PY


def test_classify_reads_json_lines_from_stdin() -> None:
    """One classification line per article line, in the wire shape."""
    lines = [
        {"id": "a", "title": "", "text": "Egypt ordered 12 K9 howitzers from South Korea.", "language": "en"},
        {"id": "b", "title": "", "text": "It rained in Cairo.", "language": "en"},
    ]
    result = CliRunner().invoke(classify_command, ["-"], input="\n".join(json.dumps(x) for x in lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["is_procurement"] is True and out[1]["is_procurement"] is False
    assert set(out[0]["events"][0]) >= {"buyer", "buyer_iso", "system", "stage", "evidence", "confidence"}


def test_classify_rejects_bad_json() -> None:
    """A line that is not JSON fails with exit code 1 and names the line."""
    result = CliRunner().invoke(classify_command, ["-"], input="{not json\n")
    assert result.exit_code == 1
    assert ":1:" in result.output


def test_eval_agrees_with_score_py(dev_rows: list[dict[str, Any]], tmp_path: Path) -> None:
    """`eval` prints the same overall, en and non-en figures as ../shared/tools/score.py on its predictions."""
    if not SCORE_PY.exists():
        pytest.skip(f"score.py not found at {SCORE_PY}")
    preds = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(eval_command, [str(DEV_SET), "--json", "--predictions", str(preds)])
    assert result.exit_code == 0, result.output
    ours = json.loads(result.output)
    proc = subprocess.run(
        [sys.executable, str(SCORE_PY), str(DEV_SET), str(preds), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(proc.stdout)
    for key, value in theirs.items():
        assert ours[key] == value, key
    assert any(k.startswith("event_lang:") for k in ours)


def test_eval_table_lists_every_language(dev_rows: list[dict[str, Any]]) -> None:
    """The human-readable table has one row per language of the dataset."""
    result = CliRunner().invoke(eval_command, [str(DEV_SET)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0] for line in result.output.splitlines() if line.strip()}
    assert {r["language"] for r in dev_rows} <= rows


def test_classify_and_eval_refuse_binary_input_in_one_line(tmp_path: Path) -> None:
    """A binary file is a one-line error and exit 1, not a traceback."""
    binary = tmp_path / "noise.jsonl"
    binary.write_bytes(b"\x83\xff\x00garbage\n" * 10)
    for command in (classify_command, eval_command):
        result = CliRunner().invoke(command, [str(binary)])
        assert result.exit_code == 1, result.output
        assert "not UTF-8 text" in result.output and "Traceback" not in result.output
