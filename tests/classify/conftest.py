"""Shared fixtures for the classifier tests: the dev set path (read at run time, never copied)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / ".." / "shared" / "data" / "dev" / "articles.jsonl"
SCORE_PY = REPO / ".." / "shared" / "tools" / "score.py"


@pytest.fixture(scope="session")
def dev_rows() -> list[dict[str, Any]]:
    """The labelled dev articles, or a skip when the shared data is not mounted."""
    if not DEV_SET.exists():
        pytest.skip(f"dev set not found at {DEV_SET}")
    with DEV_SET.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
