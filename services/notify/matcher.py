"""Watchlist matching: does a deal, as one event brings it to a stage, pass a watchlist's filters?"""

from __future__ import annotations

import re
from typing import Any

from services.store.readmodel import stage_rank


def norm_system(name: str) -> str:
    """A designation reduced for comparison: case-folded letters and digits only."""
    return re.sub(r"[\W_]+", "", name.casefold())


def system_matches(wanted: list[str], system: str | None) -> bool:
    """True when any wanted system names this one ("TB2" matches "Bayraktar TB2"; "F-35" matches "F-35A")."""
    if not wanted:
        return True
    if not system:
        return False
    have = norm_system(system)
    return any(w and (w in have or have in w) for w in (norm_system(x) for x in wanted))


def stage_matches(wanted: str | None, stage: str) -> bool:
    """`wanted` or later in the lifecycle; cancellation only when named."""
    if wanted is None:
        return True
    if stage == "cancellation" or wanted == "cancellation":
        return stage == wanted
    return stage_rank(stage) >= stage_rank(wanted)


def keywords_match(keywords: list[str], texts: list[str]) -> bool:
    """Every keyword appears (case-insensitively) in the evidence or the title."""
    hay = " ".join(texts).casefold()
    return all(k.casefold() in hay for k in keywords)


def matches(watchlist: dict[str, Any], deal: dict[str, Any], event: dict[str, Any]) -> bool:
    """True when the watchlist's filters all pass for this deal at the event's stage (empty filters pass)."""
    if watchlist["buyers"] and deal.get("buyer_iso") not in watchlist["buyers"]:
        return False
    if watchlist["sellers"] and deal.get("seller_iso") not in watchlist["sellers"]:
        return False
    if watchlist["categories"] and deal.get("category") not in watchlist["categories"]:
        return False
    if not system_matches(watchlist["systems"], deal.get("system")):
        return False
    if not stage_matches(watchlist.get("stage"), event["stage"]):
        return False
    minimum = watchlist.get("min_quantity")
    if minimum is not None and (deal.get("quantity") is None or deal["quantity"] < minimum):
        return False
    texts = [event.get("evidence") or "", event.get("article_title") or ""]
    return keywords_match(watchlist.get("keywords") or [], texts)
