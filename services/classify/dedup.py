"""Merge duplicate candidates within an article (R16): one event per buyer, system, seller and stage."""

from __future__ import annotations

import re

from services.classify.types import Candidate

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def _norm(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


def _key(c: Candidate) -> tuple[str, str, str]:
    item = c.system.name if c.system is not None else "cat:" + c.category
    return (c.buyer.iso or c.buyer.name.lower(), item, c.stage)


def unify_systems(cands: list[Candidate]) -> None:
    """Name one system per buyer and family: the most specific designation mentioned ("F-35A" over "F-35")."""
    best: dict[tuple[str, str], Candidate] = {}
    for c in cands:
        if c.system is None:
            continue
        key = (c.buyer.iso or c.buyer.name, c.system.family)
        cur = best.get(key)
        if cur is None or (
            cur.system is not None
            and _norm(cur.system.name) in _norm(c.system.name)
            and len(c.system.name) > len(cur.system.name)
        ):
            best[key] = c
    for c in cands:
        if c.system is None:
            continue
        b = best[(c.buyer.iso or c.buyer.name, c.system.family)]
        if b.system is not None and _norm(c.system.name) in _norm(b.system.name):
            c.system = b.system


def dedupe(cands: list[Candidate]) -> list[Candidate]:
    """Return one candidate per (buyer, system or category, stage), keeping the best-supported one.

    Two reports of one deal and stage with different stated quantities stay apart (R16),
    except that a candidate without a quantity merges into one with a quantity.
    """
    unify_systems(cands)
    out: list[Candidate] = []
    index: dict[tuple[str, str, str], list[Candidate]] = {}
    donated = {_key(c) for c in cands if "donor" in c.flags}
    for c in cands:
        if _key(c) in donated and c.seller is not None:
            c.flags.add("donor")
        item = c.system.name if c.system is not None else "cat:" + c.category
        key = (c.buyer.iso or c.buyer.name.lower(), item, c.stage)
        if ("donor" in c.flags or "bid" in c.flags) and c.seller is not None:
            key = (key[0], item + "<" + (c.seller.iso or c.seller.name), c.stage)  # one event per donor (R13)
        group = index.setdefault(key, [])
        merged = False
        for g in group:
            if g.quantity is None or c.quantity is None or g.quantity == c.quantity:
                if g.quantity is None and c.quantity is not None:
                    g.quantity, g.quantity_approx = c.quantity, c.quantity_approx
                if g.carried_buyer and not c.carried_buyer:
                    g.carried_buyer = False
                    g.evidence = c.evidence
                g.seller = g.seller or c.seller
                g.value = g.value or c.value
                merged = True
                break
        if not merged:
            group.append(c)
            out.append(c)
    _drop_category_shadows(out)
    _drop_sellers_as_buyers(out)
    return [c for c in out if "drop" not in c.flags]


def _drop_sellers_as_buyers(cands: list[Candidate]) -> None:
    """A country the article names as the seller of an item is not also its buyer (talks 'between' two)."""
    sellers: dict[str, set[str]] = {}
    for c in cands:
        if c.seller is not None and c.seller.iso and c.seller.iso != c.buyer.iso:
            sellers.setdefault(c.category, set()).add(c.seller.iso)
    for c in cands:
        domestic = c.carried_buyer and c.seller is not None and c.seller.iso == c.buyer.iso
        if c.buyer.iso and c.buyer.iso in sellers.get(c.category, set()) and not domestic:
            c.flags.add("drop")


def _drop_category_shadows(cands: list[Candidate]) -> None:
    """A category-only event is dropped when the same buyer and stage has a named system of that category."""
    named = {(c.buyer.iso or c.buyer.name, c.stage, c.category) for c in cands if c.system is not None}
    for c in cands:
        if (
            c.system is None
            and not {"bid", "listed", "new_item"} & c.flags
            and (c.buyer.iso or c.buyer.name, c.stage, c.category) in named
        ):
            c.flags.add("drop")
