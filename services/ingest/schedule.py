"""Adaptive poll scheduling: when to poll a feed next, from its last outcome, bounded, with jitter.

A feed keeps its configured ``interval`` and a learned ``current`` interval:

- ``busy`` (every item of a feed seen before was new: items may have been missed) halves
  ``current``, down to ``min_interval`` (or the configured interval, when that is shorter);
- ``new`` (some new items) brings ``current`` back to at most the configured interval;
- ``unchanged`` (304, or nothing new) stretches ``current`` by a quarter, up to
  ``MAX_SLOWDOWN`` times the configured interval and never past ``max_interval``;
- ``error`` leaves ``current`` alone and waits ``current · 2^errors`` (up to ``max_interval``).

``Retry-After`` is honoured (up to ``max_interval``), a feed a WebSub hub pushes is polled
no more often than the fallback interval, and every delay is spread by ``± jitter``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_SLOWDOWN", "Bounds", "Kind", "Plan", "classify_outcome", "plan_next"]

Kind = Literal["error", "unchanged", "new", "busy"]

#: An idle feed is polled at most this many times less often than configured.
MAX_SLOWDOWN = 8.0
#: Errors beyond this many no longer double the delay (max_interval caps it anyway).
_MAX_DOUBLINGS = 12


@dataclass(frozen=True, slots=True)
class Bounds:
    """The limits every plan keeps to (seconds; jitter is a fraction)."""

    min_interval: float = 120.0
    max_interval: float = 86400.0
    jitter: float = 0.1
    push_fallback: float = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class Plan:
    """The learned interval to store and the delay until the next poll."""

    current: float
    delay: float


def classify_outcome(*, ok: bool, items: int, new: int, first: bool) -> Kind:
    """Name a fetch's outcome for ``plan_next`` (``first``: the feed had never been read before)."""
    if not ok:
        return "error"
    if new == 0:
        return "unchanged"
    if not first and items >= 2 and new >= items:
        return "busy"
    return "new"


def _learn(kind: Kind, interval: float, current: float, bounds: Bounds) -> float:
    floor = min(interval, bounds.min_interval)
    ceiling = max(interval, min(bounds.max_interval, interval * MAX_SLOWDOWN))
    if kind == "busy":
        return max(floor, current / 2)
    if kind == "new":
        return max(floor, min(current, interval))
    if kind == "unchanged":
        return min(ceiling, current * 1.25)
    return current


def plan_next(
    *,
    interval: float,
    current: float | None,
    kind: Kind,
    errors: int = 0,
    retry_after: float | None = None,
    pushed: bool = False,
    bounds: Bounds | None = None,
    rng: random.Random | None = None,
) -> Plan:
    """Decide the next poll of one feed.

    Args:
        interval: the feed's configured interval.
        current: its learned interval (None: not learned yet, the configured one).
        kind: the outcome of the fetch just done (see ``classify_outcome``).
        errors: consecutive errors including this fetch's.
        retry_after: seconds the server asked us to wait, if it did.
        pushed: True while a WebSub hub pushes this feed (polling is only a fallback).
        bounds: the limits; defaults when None.
        rng: the random source of the jitter.

    Returns:
        The interval to remember and the delay until the next poll, both positive.
    """
    limits = bounds or Bounds()
    learned = _learn(kind, interval, current or interval, limits)
    delay = learned
    if kind == "error":
        delay = min(max(limits.max_interval, learned), learned * 2 ** min(max(errors, 1), _MAX_DOUBLINGS))
    if pushed:
        delay = max(delay, limits.push_fallback)
    if retry_after:
        delay = max(delay, min(retry_after, limits.max_interval))
    spread = limits.jitter * delay
    delay += (rng or random).uniform(-spread, spread)
    return Plan(current=learned, delay=max(1.0, delay))
