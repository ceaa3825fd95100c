"""Resolve stages per deal (R3): keep contract, delivery and cancellation; one pre-contract stage otherwise."""

from __future__ import annotations

from collections import defaultdict

from services.classify.types import PRE_CONTRACT, Candidate

_ORDER = {"interest": 0, "negotiation": 1, "approval": 2}
_GENERAL = frozenset({"armoured_vehicle", "other"})
_NOUN_FLAGS = frozenset({"noun_only", "dependent"})


def deal_of(c: Candidate, families: dict[tuple[str, str], set[str]] | None = None) -> tuple[str, str]:
    """The deal a candidate belongs to: buyer (ISO or name) and system family (or category).

    A category-only candidate joins the buyer's one system family of that category, if unique.
    """
    buyer = c.buyer.iso or c.buyer.name.lower()
    if "bid" in c.flags:
        buyer += "<bid:" + (c.seller.iso or c.seller.name if c.seller else "")  # a rival's deal (R9)
    if "follow_on" in c.flags:
        buyer += "+more"  # a follow-on order is a deal of its own (R3)
    if c.system is not None:
        return buyer, c.system.family.lower()
    if "new_item" in c.flags:
        return buyer, "new:" + c.category
    fams = (families or {}).get((buyer, c.category), set())
    if len(fams) == 1:
        return buyer, next(iter(fams))
    if c.category in _GENERAL:
        # 'the armoured vehicles' of an article about one artillery deal are that deal
        specific = (families or {}).get((buyer, "*specific"), set())
        if len(specific) == 1:
            return buyer, "cat:" + next(iter(specific))
    return buyer, "cat:" + c.category


def families_by_category(cands: list[Candidate]) -> dict[tuple[str, str], set[str]]:
    """Map (buyer, category) to the system families the article names for it."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for c in cands:
        buyer = c.buyer.iso or c.buyer.name.lower()
        if c.system is not None:
            out[(buyer, c.category)].add(c.system.family.lower())
        elif c.category not in _GENERAL:
            out[(buyer, "*specific")].add(c.category)
    return out


def resolve_stages(cands: list[Candidate]) -> list[Candidate]:
    """Drop the pre-contract candidates that R3 does not label.

    For each deal, a pre-contract stage is kept only when the article states neither a
    contract nor a cancellation for it, and then only the most advanced one.
    """
    by_deal: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    fams = families_by_category(cands)
    for c in cands:
        by_deal[deal_of(c, fams)].append(c)
    keep: list[Candidate] = []
    for group in by_deal.values():
        if any(c.stage in PRE_CONTRACT for c in group):
            # a bare 'purchase of X' names the deal; the stage the text states elsewhere wins
            group = [c for c in group if not (c.stage == "contract" and _NOUN_FLAGS & c.flags)]
        final = {c.stage for c in group if c.stage not in PRE_CONTRACT and not c.carried_buyer}
        if any(c.stage == "cancellation" and "reduction" not in c.flags for c in group):
            group = [c for c in group if c.stage != "contract"]  # a fully cancelled deal (R3)
        pre = [c for c in group if c.stage in PRE_CONTRACT]
        top = max((_ORDER[c.stage] for c in pre), default=-1)
        for c in group:
            if c.stage in PRE_CONTRACT and ({"contract", "cancellation"} & final or _ORDER[c.stage] != top):
                continue
            keep.append(c)
    keep.sort(key=lambda c: c.sentence_index)
    return keep
