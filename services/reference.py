"""Reference data the services share: the systems gazetteer with the project's corrections applied, and country names.

The files are the classifier's data (``services/classify/data``, the package that also versions the
classifier), read here through importlib.resources so that extraction (classify) and watchlist
names (notify) see one gazetteer: an alias or a system the project adds counts for both.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["country_rows", "read_data", "system_rows"]

_PACKAGE = "services.classify.data"
_OVERRIDABLE = ("category", "producer_iso", "manufacturer", "family", "system_is_weak")


def read_data(name: str) -> list[dict[str, Any]]:
    """Read one JSON-lines data file (``//`` lines are comments); an empty list when it does not exist."""
    path = resources.files(_PACKAGE) / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("//")]


@cache
def system_rows() -> tuple[dict[str, Any], ...]:
    """Every system of ``systems.jsonl`` with ``systems_local.jsonl`` applied, in a fixed order.

    A local row adds aliases or weak aliases, drops some (``drop_aliases``), overrides the
    category, producer, manufacturer, family or weakness, replaces a system's names
    (``replace``) or adds a system the reference lacks.
    """
    rows: dict[str, dict[str, Any]] = {r["system"]: dict(r) for r in read_data("systems.jsonl")}
    for r in read_data("systems_local.jsonl"):
        base = rows.get(r["system"])
        if base is None or r.get("replace"):
            rows[r["system"]] = {"aliases": [], "weak_aliases": [], **(base or {}), **r}
            continue
        for key in ("aliases", "weak_aliases"):
            drop = set(r.get("drop_" + key, []))
            base[key] = [a for a in base.get(key, []) if a not in drop] + r.get(key, [])
        for key in _OVERRIDABLE:
            if key in r:
                base[key] = r[key]
    return tuple(rows.values())


@cache
def country_rows() -> tuple[dict[str, Any], ...]:
    """Country names, case forms and demonyms per language: ``countries.jsonl`` and the project's additions."""
    return tuple(read_data("countries.jsonl") + read_data("countries_local.jsonl"))
