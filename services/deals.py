"""The pure deal fold: how a deal's stage, quantity and names follow from its events, and when an event advances it.

One definition serves the read model (``store/readmodel.py``), the notifier's alert rule and its
backfill, and replay, so that none of them can disagree about a deal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from services.record_types import Stage
from services.records import STAGES
from services.reference import country_rows

__all__ = ["STAGES", "DealState", "advances", "better_name", "previous_stage", "stage_rank"]


def stage_rank(stage: str | None) -> int:
    """Position of a stage in the lifecycle (cancellation after delivery; None before interest)."""
    if stage is None:
        return -1
    return STAGES.index(stage)


def advances(current: str | None, stage: str) -> bool:
    """True when `stage` moves a deal at `current` forward (nothing follows a cancellation)."""
    return current is None or (current != "cancellation" and stage_rank(stage) > stage_rank(current))


def previous_stage(stages_seen: Mapping[str, Any], stage: str) -> Stage | None:
    """The furthest stage seen before `stage` in the lifecycle, if any."""
    earlier = [s for s in STAGES if s in stages_seen and s != stage and stage_rank(s) < stage_rank(stage)]
    return earlier[-1] if earlier else None


@cache
def _country_names() -> frozenset[str]:
    return frozenset(n.casefold() for r in country_rows() if r["lang"] == "en" for n in r["names"])


def better_name(current: str | None, new: str | None, *, country_last: bool = False) -> str | None:
    """The name a deal shows of two reported ones, whatever order they came in.

    The more specific wins: a company over a country (with `country_last`), then the longer
    designation ('F-16 Block 70' over 'F-16'), then the first in alphabetical order; so the shown
    name depends on which names were reported, never on their arrival.
    """
    names = [n for n in (current, new) if n]
    if not names:
        return None

    def key(name: str) -> tuple[bool, int, str]:
        return (country_last and name.casefold() in _country_names(), -len(name), name)

    return min(names, key=key)


@dataclass
class DealState:
    """What a deal's events have established so far."""

    stage: str | None = None
    stages_seen: dict[str, str] = field(default_factory=dict)
    quantity: int | None = None
    quantity_approx: bool = False
    value: str | None = None
    seller: str | None = None
    system: str | None = None
    updated_at: str | None = None

    def apply(self, event: Mapping[str, Any]) -> None:
        """Fold one ProcurementEvent into the deal.

        The first detection time of each stage is kept; the furthest stage wins; a stated
        quantity or value replaces the last one; the seller and system shown are the most specific
        ones reported (``better_name``), whatever the order of the events.
        """
        stage = str(event["stage"])
        self.stages_seen.setdefault(stage, str(event["detected_at"]))
        if advances(self.stage, stage):
            self.stage = stage
        if event.get("quantity") is not None:
            self.quantity = int(event["quantity"])
            self.quantity_approx = bool(event.get("quantity_approx"))
        if event.get("value"):
            self.value = str(event["value"])
        self.seller = better_name(self.seller, event.get("seller"), country_last=True)
        self.system = better_name(self.system, event.get("system"))
        self.updated_at = str(event["detected_at"])

    def alerts_on(self, event: Mapping[str, Any]) -> bool:
        """After folding it in, the event states the deal's furthest stage: the moment a watchlist may alert."""
        return self.stage == str(event["stage"])
