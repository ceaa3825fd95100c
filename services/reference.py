"""Reference data the services share: the systems gazetteer with the project's corrections applied, and country names.

The files are the classifier's data (``services/classify/data``, the package that also versions the
classifier), read here through importlib.resources so that extraction (classify) and watchlist
names (notify) see one gazetteer: an alias or a system the project adds counts for both.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, NotRequired, cast

from typing_extensions import TypedDict

__all__ = [
    "CountryRow",
    "InstitutionRow",
    "SystemRow",
    "country_rows",
    "institution_rows",
    "read_data",
    "system_rows",
]


class SystemRow(TypedDict):
    """A weapon system of the gazetteer: its names, what it is and who makes it."""

    system: str
    aliases: list[str]
    weak_aliases: list[str]
    category: str
    producer_iso: str | None
    manufacturer: str | None
    family: str | None
    system_is_weak: bool
    notes: NotRequired[str | None]


class InstitutionRow(TypedDict):
    """A force, ministry, agency, leader or company: its names, country, kind and role in a deal."""

    id: str
    name: str
    iso: str | None
    kind: str
    lang: str
    aliases: list[str]
    generic: NotRequired[bool]
    default_iso: NotRequired[str]
    ambiguous: NotRequired[bool]
    role: NotRequired[str]
    note: NotRequired[str]
    name_in_mul: NotRequired[bool]
    multinational: NotRequired[bool]
    years: NotRequired[str]
    source: NotRequired[str]
    parent: NotRequired[str]
    alt_iso: NotRequired[list[str]]


class CountryRow(TypedDict):
    """One country's names, demonyms and abbreviations in one language."""

    iso: str
    lang: str
    names: list[str]
    demonyms: list[str]
    abbr: list[str]


_PACKAGE = "services.classify.data"
#: The fields a system row the project adds may leave out.
SYSTEM_DEFAULTS: dict[str, Any] = {
    "category": "other",
    "producer_iso": None,
    "manufacturer": None,
    "family": None,
    "system_is_weak": False,
}
_OVERRIDABLE = ("category", "producer_iso", "manufacturer", "family", "system_is_weak")


def read_data(name: str) -> list[dict[str, Any]]:
    """Read one JSON-lines data file (``//`` lines are comments); an empty list when it does not exist."""
    path = resources.files(_PACKAGE) / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("//")]


@cache
def system_rows() -> tuple[SystemRow, ...]:
    """Every system of ``systems.jsonl`` with ``systems_local.jsonl`` applied, in a fixed order.

    A local row adds aliases or weak aliases, drops some (``drop_aliases``), overrides the
    category, producer, manufacturer, family or weakness, replaces a system's names
    (``replace``) or adds a system the reference lacks.
    """
    rows: dict[str, dict[str, Any]] = {
        r["system"]: dict(r) for r in read_data("systems.jsonl")
    }  # merged below
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
    return tuple(
        cast(SystemRow, {"aliases": [], "weak_aliases": [], **SYSTEM_DEFAULTS, **r}) for r in rows.values()
    )


@cache
def country_rows() -> tuple[CountryRow, ...]:
    """Country names, case forms and demonyms per language: ``countries.jsonl`` and the project's additions."""
    rows = read_data("countries.jsonl") + read_data("countries_local.jsonl")
    return tuple(cast(CountryRow, {"names": [], "demonyms": [], "abbr": [], **r}) for r in rows)


@cache
def institution_rows() -> tuple[InstitutionRow, ...]:
    """Forces, ministries, agencies, leaders and companies: ``institutions.jsonl`` and the project's additions."""
    rows = read_data("institutions.jsonl") + read_data("institutions_local.jsonl")
    return tuple(cast(InstitutionRow, {"aliases": [], "iso": None, **r}) for r in rows)
