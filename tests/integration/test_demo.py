"""`armswatch demo` prints the seed story's alerts and more, then a summary line, and exits 0."""

from __future__ import annotations

import re

import pytest

from tests.support.stack import armswatch_env, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demo_prints_alerts_and_exits_cleanly(tmp_path):
    """Kazakhstan and the Bayraktar TB2 are alerted, with other buyers, and the summary counts them."""
    result = run_cli(armswatch_env(data_dir=str(tmp_path)), "demo", "--duration", "120", timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    titles = [line for line in result.stdout.splitlines() if line.startswith("[armswatch] ")]
    assert any("Kazakhstan" in t and "Bayraktar TB2" in t and "interest" in t for t in titles), titles
    buyers = {t.removeprefix("[armswatch] ").split(" ← ")[0] for t in titles}
    assert {"Ukraine", "Serbia", "Poland"} <= buyers, buyers
    # One article states Poland's K2 contract, a later one the first deliveries: whatever the timing,
    # both stages alert, in lifecycle order, under the company named.
    k2 = [t for t in titles if t.startswith("[armswatch] Poland ← Hyundai Rotem: K2 — ")]
    assert k2 == [
        "[armswatch] Poland ← Hyundai Rotem: K2 — contract",
        "[armswatch] Poland ← Hyundai Rotem: K2 — contract → delivery",
    ], titles
    summary = re.search(
        r"demo: (\d+) articles, (\d+) procurement events, (\d+) deals, (\d+) alerts", result.stdout
    )
    assert summary is not None and int(summary.group(1)) == 14
    assert int(summary.group(4)) == len(titles)
    assert "Traceback" not in result.stderr
