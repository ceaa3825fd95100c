"""Watchlist matching: does a deal, as one event brings it to a stage, pass a watchlist's filters?

Each filter holds several values and passes when any of them matches; a watchlist passes when every
filter passes, and an empty filter passes everything. Buyers and sellers are ISO codes (names were
resolved when the watchlist was built); systems are alias- and family-aware (``gazetteer.py``).
"""

from __future__ import annotations

from services.deals import stage_rank
from services.notify.gazetteer import system_matches
from services.record_types import DealView, ProcurementEvent, Watchlist

__all__ = ["keywords_match", "matches", "stage_matches", "system_matches"]


def stage_matches(wanted: str | None, stage: str) -> bool:
    """`wanted` or later in the lifecycle; cancellation only when named."""
    if wanted is None:
        return True
    if stage == "cancellation" or wanted == "cancellation":
        return stage == wanted
    return stage_rank(stage) >= stage_rank(wanted)


def keywords_match(keywords: list[str], texts: list[str]) -> bool:
    """Any keyword appears (case-insensitively) in the evidence or the title; no keywords pass."""
    if not keywords:
        return True
    hay = " ".join(texts).casefold()
    return any(k.casefold() in hay for k in keywords)


def matches(watchlist: Watchlist, deal: DealView, event: ProcurementEvent) -> bool:
    """True when the watchlist's filters all pass for this deal at the event's stage (empty filters pass).

    A paused watchlist matches nothing.
    """
    if watchlist.get("paused"):
        return False
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
    minimum, quantity = watchlist.get("min_quantity"), deal.get("quantity")
    if minimum is not None and (quantity is None or quantity < minimum):
        return False
    texts = [event.get("evidence") or "", event.get("article_title") or ""]
    return keywords_match(watchlist.get("keywords") or [], texts)
