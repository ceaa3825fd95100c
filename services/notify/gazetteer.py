"""Names a watchlist may use for countries and systems, resolved with the classifier's gazetteers (read-only).

Countries: an ISO 3166 alpha-2 code, or a country's name in any language the classifier supports
(``countries.jsonl`` through :mod:`services.reference`: CLDR names and case forms), or Babel's CLDR names, with
case and accents ignored ("turquía", "Türkei", "Турция" → TR).

Systems: the shared gazetteer (:func:`services.reference.system_rows`, the project's corrections applied)
gives each designation its aliases and its family.
A wanted system expands to a set of designations (:func:`expand_system`): an alias names its system
("TB2" → "Bayraktar TB2"), and a family name or a family's generic entry names every member
("F-35" → F-35, F-35A, F-35B, F-35C, F-35I Adir). A deal's system is reduced to its designation the
same way (:func:`canonical_system`). Names the gazetteer does not know are compared as written
(case, spaces and punctuation ignored), a trailing variant letter allowed ("K239" → "K239A").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale

from services.reference import country_rows, system_rows

__all__ = ["canonical_system", "country_code", "expand_system", "fold", "known_codes", "system_matches"]

_BABEL_LANGS = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "ru",
    "uk",
    "pl",
    "tr",
    "ro",
    "ar",
    "zh",
    "ko",
    "ja",
    "el",
)
_SHORT_FORMS = {
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "uae": "AE",
    "south korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "turkey": "TR",
}
_NON_ALNUM = re.compile(r"[\W_]+")
# Letters that carry no combining accent to drop but are commonly typed without it.
_PLAIN = str.maketrans({"ı": "i", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "’": "'"})


def fold(text: str) -> str:
    """Case-fold, drop accents and collapse spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


def _squash(text: str) -> str:
    """A designation reduced to letters and digits ("Bayraktar TB-2" → "bayraktartb2")."""
    return _NON_ALNUM.sub("", fold(text))


# -- countries --------------------------------------------------------------------------------


@cache
def _country_index() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in _BABEL_LANGS:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    for row in country_rows():
        for name in row.get("names", []):
            if len(name) > 1:
                names.setdefault(fold(name), row["iso"])
    for short, code in _SHORT_FORMS.items():
        names[short] = code
    return names


@cache
def known_codes() -> frozenset[str]:
    """Every ISO 3166 alpha-2 code the gazetteers name."""
    return frozenset(_country_index().values())


def country_code(value: str) -> str | None:
    """Return the ISO alpha-2 code for a code or a country name in any supported language, else None."""
    text = value.strip()
    if len(text) == 2 and text.isascii() and text.isalpha() and text.upper() in known_codes():
        return text.upper()
    return _country_index().get(fold(text))


# -- systems ----------------------------------------------------------------------------------


@cache
def _systems() -> tuple[dict[str, str], dict[str, frozenset[str]], dict[str, str]]:
    """(squashed name or alias → designation, family → designations, designation → family)."""
    rows = system_rows()
    by_name: dict[str, str] = {}
    families: dict[str, set[str]] = {}
    family_of: dict[str, str] = {}
    for row in rows:
        system = row["system"]
        family = row.get("family") or system
        family_of[system] = family
        families.setdefault(family, set()).add(system)
        for alias in row.get("aliases", []):
            key = _squash(alias)
            if key:
                by_name.setdefault(key, system)
    for row in rows:  # a designation wins over another system's alias
        by_name[_squash(row["system"])] = row["system"]
    return by_name, {f: frozenset(s) for f, s in families.items()}, family_of


def canonical_system(name: str | None) -> str | None:
    """The gazetteer's designation for a system name or alias, or None when it does not know it."""
    if not name:
        return None
    return _systems()[0].get(_squash(name))


def expand_system(wanted: str) -> frozenset[str]:
    """Every designation a wanted system name stands for (empty when the gazetteer does not know it).

    A family name ("Bayraktar", "Leopard 2") or a family's generic entry ("F-35") stands for every
    member of the family; any other designation or alias stands for that one system.
    """
    by_name, families, family_of = _systems()
    key = _squash(wanted)
    family_names = {_squash(f): f for f in families}
    system = by_name.get(key)
    if system is not None and family_of.get(system) == system:
        return families[system]
    if system is not None and key != _squash(family_of.get(system, "")):
        return frozenset({system})
    if key in family_names:
        return families[family_names[key]]
    return frozenset({system}) if system is not None else frozenset()


def _literal_match(wanted: str, have: str) -> bool:
    """Unknown names: equal once squashed, or `have` is `wanted` plus a variant letter or two."""
    w, h = _squash(wanted), _squash(have)
    if not w:
        return False
    if w == h:
        return True
    rest = h[len(w) :]
    return h.startswith(w) and w[-1].isdigit() and rest.isalpha() and len(rest) <= 2


def system_matches(wanted: list[str], system: str | None) -> bool:
    """True when any wanted name stands for the deal's system (an empty list matches every deal)."""
    if not wanted:
        return True
    if not system:
        return False
    designation = canonical_system(system)
    for name in wanted:
        expanded = expand_system(name)
        if designation is not None and designation in expanded:
            return True
        if _literal_match(name, system) or (designation is not None and _literal_match(name, designation)):
            return True
    return False
