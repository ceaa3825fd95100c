"""Adaptive scheduling: busy feeds sooner, idle and failing ones later, always within bounds, with jitter."""

from __future__ import annotations

import random

import pytest

from services.ingest.schedule import MAX_SLOWDOWN, Bounds, classify_outcome, plan_next

STILL = Bounds(min_interval=120, max_interval=86400, jitter=0.0, push_fallback=21600)


@pytest.mark.parametrize(
    ("ok", "items", "new", "first", "kind"),
    [
        (False, 0, 0, False, "error"),
        (True, 0, 0, False, "unchanged"),
        (True, 10, 0, False, "unchanged"),
        (True, 10, 3, False, "new"),
        (True, 10, 10, False, "busy"),
        (True, 10, 10, True, "new"),  # everything is new on the first read: no sign of a busy feed
        (True, 1, 1, False, "new"),
    ],
)
def test_classify_outcome(ok: bool, items: int, new: int, first: bool, kind: str) -> None:
    """Outcomes are named from success and the share of new items."""
    assert classify_outcome(ok=ok, items=items, new=new, first=first) == kind


def test_unchanged_feed_slows_down_to_a_bound() -> None:
    """Each unchanged poll stretches the interval by a quarter, up to MAX_SLOWDOWN times the configured one."""
    current: float | None = None
    seen = []
    for _ in range(30):
        plan = plan_next(interval=900, current=current, kind="unchanged", bounds=STILL)
        current = plan.current
        seen.append(plan.delay)
    assert seen[0] == pytest.approx(1125)
    assert seen == sorted(seen)
    assert max(seen) == pytest.approx(900 * MAX_SLOWDOWN)


def test_unchanged_never_passes_max_interval() -> None:
    """The slowdown stops at max_interval."""
    plan = plan_next(interval=3600 * 6, current=80000, kind="unchanged", bounds=STILL)
    assert plan.current == 86400


def test_busy_feed_speeds_up_to_the_minimum() -> None:
    """A busy feed halves its interval each time, never below min_interval."""
    current: float | None = None
    for _ in range(10):
        current = plan_next(interval=1800, current=current, kind="busy", bounds=STILL).current
    assert current == 120


def test_a_configured_interval_below_the_minimum_is_kept() -> None:
    """min_interval bounds the speed-up only; a feed set to 30 s is polled every 30 s."""
    assert plan_next(interval=30, current=None, kind="busy", bounds=STILL).current == 30
    assert plan_next(interval=30, current=None, kind="new", bounds=STILL).delay == 30


def test_new_items_bring_a_slowed_feed_back() -> None:
    """New items after a slowdown return to the configured interval; a sped-up one keeps its pace."""
    assert plan_next(interval=900, current=5000, kind="new", bounds=STILL).current == 900
    assert plan_next(interval=900, current=300, kind="new", bounds=STILL).current == 300


@pytest.mark.parametrize(("errors", "delay"), [(1, 1800), (2, 3600), (3, 7200), (10, 86400), (40, 86400)])
def test_errors_back_off_exponentially_and_bounded(errors: int, delay: float) -> None:
    """Errors double the wait each time, capped at max_interval; the learned interval is kept."""
    plan = plan_next(interval=900, current=900, kind="error", errors=errors, bounds=STILL)
    assert plan.delay == delay and plan.current == 900


def test_retry_after_wins_but_is_capped() -> None:
    """Retry-After lengthens the wait, up to max_interval."""
    assert (
        plan_next(interval=60, current=None, kind="error", errors=1, retry_after=600, bounds=STILL).delay
        == 600
    )
    huge = plan_next(interval=60, current=None, kind="error", errors=1, retry_after=10**7, bounds=STILL)
    assert huge.delay == 86400


def test_pushed_feed_polls_at_the_fallback_interval() -> None:
    """While a hub pushes the feed, polling is only a long fallback."""
    assert plan_next(interval=900, current=None, kind="new", pushed=True, bounds=STILL).delay == 21600


def test_jitter_spreads_delays_within_bounds() -> None:
    """Jitter of 10% spreads delays over ±10% of the plan."""
    rng = random.Random(7)
    bounds = Bounds(jitter=0.1)
    delays = [
        plan_next(interval=1000, current=None, kind="new", bounds=bounds, rng=rng).delay for _ in range(200)
    ]
    assert 900 <= min(delays) < 950 and 1050 < max(delays) <= 1100
