"""Deal keys: buyer + canonical system (or category) + seller, shared by every report of one deal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from services.classify.lexicon import _system_rows
from services.classify.normalize import fold_form

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def normalise_name(name: str) -> str:
    """Lower-case a name and keep only ASCII letters and digits ("Bayraktar TB-2" -> "bayraktartb2")."""
    return _NON_ALNUM.sub("", fold_form(name, "el").lower())


@cache
def _alias_index() -> dict[str, str]:
    """Map every normalised designation and strong alias to its canonical designation."""
    index: dict[str, str] = {}
    for r in _system_rows():
        canon = r["system"]
        for form in [canon, *r.get("aliases", [])]:
            key = normalise_name(form)
            if key:
                index.setdefault(key, canon)
    for r in _system_rows():  # canonical names win over aliases that collide with them
        index[normalise_name(r["system"])] = r["system"]
    return index


def canonical_system(name: str | None) -> str | None:
    """Return the gazetteer's canonical designation for a system name, or the name itself."""
    if not name:
        return None
    return _alias_index().get(normalise_name(name), name)


def deal_key(event: Mapping[str, Any]) -> str:
    """Return the deal key of an event: BUYER:system:SELLER, e.g. ``KZ:bayraktartb2:TR``.

    Args:
        event: an event dict with buyer, buyer_iso, system, category and seller_iso.

    Returns:
        buyer_iso (or the normalised buyer name) + ":" + the normalised canonical system
        (or the category when no system) + ":" + seller_iso (or "").
    """
    buyer = (event.get("buyer_iso") or "").upper() or normalise_name(event.get("buyer") or "")
    system = canonical_system(event.get("system"))
    item = normalise_name(system) if system else (event.get("category") or "other")
    seller = (event.get("seller_iso") or "").upper()
    return f"{buyer}:{item}:{seller}"
