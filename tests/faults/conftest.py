"""The fault suite's one summary line: what the runs produced, lost, alerted, sent twice, tried and found."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

#: Counters the fault tests add to; printed once at the end of the session.
REPORT: Counter[str] = Counter()
FIELDS = (
    ("articles produced", "articles"),
    ("lost", "lost"),
    ("alerts expected", "alerts_expected"),
    ("sent", "sent"),
    ("duplicates", "duplicates"),
    ("hostile inputs tried", "hostile"),
    ("crashes", "crashes"),
    ("secrets found", "secrets"),
    ("5xx", "server_errors"),
)


@pytest.fixture
def fault_report() -> Counter[str]:
    """The session's fault counters (add to them; the summary line prints them)."""
    return REPORT


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REPORT:
        line = ", ".join(f"{label} {REPORT[key]}" for label, key in FIELDS)
        terminalreporter.write_line(f"fault suite: {line}")
