"""Load the data files once and build one matcher (tries + suffix regex) per language, lazily.

Data files (services/classify/data/), merged in this order:

    systems.jsonl       + systems_local.jsonl      systems gazetteer (designation, aliases, category)
    countries.jsonl     + countries_local.jsonl    CLDR names, case forms, demonyms per language
    institutions.jsonl  + institutions_local.jsonl forces, ministries, capitals, leaders, companies
    stage_cues.jsonl    + cues_local.jsonl         stage triggers per language
    modifiers.jsonl     + modifiers_local.jsonl    tense / negation / role markers / numbers / negatives
    extras.jsonl                                   quantity approximators and counters
    categories.jsonl                               generic category nouns ("drones", "frigates")
    dependent_words.jsonl                          purchase nouns, infinitive, reference, sale and
                                                   reduction words (read by cues.py)
    aggregate_words.jsonl                          'countries' / 'customers' nouns (read by roles.py)

A ``*_local.jsonl`` record with ``"drop": true`` removes the forms it lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from services.classify.normalize import ACCENT_FOLD_LANGS, fold_form
from services.classify.trie import Trie
from services.classify.types import (
    KIND_CATEGORY,
    KIND_COUNTRY,
    KIND_CUE,
    KIND_INST,
    KIND_MOD,
    KIND_SYSTEM,
    Entry,
    SystemInfo,
)
from services.reference import (
    SystemRow,
    country_rows,
    institution_rows,
    read_data,
    system_rows,
)

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES = tuple(
    [
        "en",
        "de",
        "ru",
        "uk",
        "fr",
        "es",
        "it",
        "pt",
        "pl",
        "tr",
        "ro",
        "sq",
        "ar",
        "zh",
        "ko",
        "ja",
        "fa",
        "he",
        "hi",
        "id",
        "vi",
        "el",
    ]
)
#: modifiers_local.jsonl rows that carry these flags are read by markers.py, not added as lexicon forms.
ROLE_RULE_FLAGS = ("proclitic", "dative", "agent", "counterparty")
SUFFIXING = frozenset({"tr", "ko"})
CASE_ENDINGS = frozenset({"sq", "ro", "pl", "ru", "uk", "el"})  # short category stems take long endings
NO_INFLECTION = frozenset({"en", "id", "vi", "zh", "ja"})
_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{0,5}$")


def read_jsonl(name: str) -> list[dict[str, Any]]:
    """Read one data file (an empty list when a local override file does not exist)."""
    return read_data(name)


@dataclass
class Matcher:
    """Everything needed to find mentions in one language's sentences."""

    lang: str
    words: Trie
    systems: Trie
    suffix_re: re.Pattern[str] | None
    suffix_kinds: dict[str, str]
    negative_forms: set[str] = field(default_factory=set)


@cache
def systems_table() -> list[SystemInfo]:
    """Return the systems gazetteer (reference rows with local overrides applied), indexed as Entry.data."""
    return [
        SystemInfo(
            name=r["system"],
            category=r.get("category") or "other",
            producer_iso=r.get("producer_iso"),
            manufacturer=r.get("manufacturer"),
            family=r.get("family") or r["system"],
            weak=bool(r.get("system_is_weak")),
        )
        for r in system_rows()
    ]


class IndexedSystemRow(SystemRow):
    """A system row with its index into :func:`systems_table` (the Entry.data of its mentions)."""

    index: int


@cache
def _system_rows() -> list[IndexedSystemRow]:
    """The merged system rows with their index into :func:`systems_table`."""
    return [cast(IndexedSystemRow, {**r, "index": i}) for i, r in enumerate(system_rows())]


def _suffix_allowance(lang: str, form: str) -> int:
    if lang in SUFFIXING:
        return 12
    if lang in NO_INFLECTION or len(form) < 4:
        return 0
    return 3


@cache
def system_trie(accent_fold: bool) -> Trie:
    """Return the loose trie of system designations (shared by languages with the same folding)."""
    lang = "el" if accent_fold else "en"
    trie = Trie(loose=True)
    held: set[str] = set()
    for r in _system_rows():
        idx = r["index"]
        strong = [r["system"], *r.get("aliases", [])]
        for form in strong:
            weak = bool(r.get("system_is_weak")) and form == r["system"]
            held.add(_loose_key(fold_form(form, lang)))
            trie.add(
                fold_form(form, lang), Entry(KIND_SYSTEM, idx, sub="weak_name" if weak else "", weak=weak)
            )
        for form in r.get("weak_aliases", []):
            held.add(_loose_key(fold_form(form, lang)))
            trie.add(fold_form(form, lang), Entry(KIND_SYSTEM, idx, sub="weak_alias", weak=True))
    for key, idx in _script_designations(lang, held).items():
        trie.add(key, Entry(KIND_SYSTEM, idx))
    return trie


_DESIGNATION = re.compile(r"^([A-Za-z]{1,3})-?(\d{1,4}[A-Z]{0,2})$")


def _loose_key(key: str) -> str:
    return "".join(c for c in key if c not in " -./_")


def _script_designations(lang: str, held: set[str]) -> dict[str, int]:
    """Designations spelt in other scripts (data/designation_scripts.jsonl), where no system holds the key."""
    spellings: dict[str, list[str]] = {}
    for spelt in read_jsonl("designation_scripts.jsonl"):
        spellings.setdefault(spelt["prefix"], []).extend(spelt["forms"])
    found: dict[str, set[int]] = {}
    for r in _system_rows():
        for form in (r["system"], *r.get("aliases", [])):
            m = _DESIGNATION.match(form)
            if m is None or m.group(1) not in spellings:
                continue
            for prefix in spellings[m.group(1)]:
                key = _loose_key(fold_form(prefix + m.group(2), lang))
                if key not in held:
                    found.setdefault(key, set()).add(r["index"])
    return {key: next(iter(idxs)) for key, idxs in found.items() if len(idxs) == 1}


def _add(trie: Trie, lang: str, form: str, entry: Entry) -> None:
    prefix = form.endswith("-") and len(form) > 2
    if prefix:
        form = form[:-1]
    key = fold_form(form, lang)
    if not key:
        return
    case_form = form if _ACRONYM.match(form) and len(form) <= 6 else None
    extra: dict[str, Any] = {}
    if case_form is not None:
        extra["case_form"] = case_form
    if prefix:
        extra["prefix"] = True
    if entry.max_suffix == -1:
        extra["max_suffix"] = _suffix_allowance(lang, key)
    if extra:
        entry = Entry(**{**_entry_fields(entry), **extra})
    trie.add(key, entry)


def _entry_fields(e: Entry) -> dict[str, Any]:
    return {f: getattr(e, f) for f in Entry.__slots__}


def _langs_for(lang: str) -> tuple[str, ...]:
    return (lang, "mul")


@cache
def matcher(lang: str) -> Matcher:
    """Return the matcher for lang, building it on first use."""
    if lang not in LANGUAGES:
        lang = "en"
    words = Trie()
    for country in country_rows():
        if country["lang"] != lang:
            continue
        for form in country["names"]:
            _add(words, lang, form, Entry(KIND_COUNTRY, country["iso"], sub="name", max_suffix=-1))
        for form in country["demonyms"]:
            _add(words, lang, form, Entry(KIND_COUNTRY, country["iso"], sub="demonym", max_suffix=-1))
    langs = _langs_for(lang)
    for i, inst in enumerate(institution_rows()):
        if inst["lang"] not in langs:
            continue
        generic = bool(inst.get("generic"))
        for form in [inst["name"], *inst["aliases"]]:
            if generic and len(form) < 3:
                continue
            _add(words, lang, form, Entry(KIND_INST, i, sub=inst["kind"], max_suffix=-1, weak=generic))
    suffix_forms: dict[str, str] = {}
    cue_rows = read_jsonl("stage_cues.jsonl") + read_jsonl("cues_local.jsonl")
    dropped = {f for r in cue_rows if r["lang"] == lang and r.get("drop") for f in r["forms"]}
    for r in cue_rows:
        if r["lang"] != lang or r.get("drop"):
            continue
        ms = 12 if lang in SUFFIXING else 0
        for form in r["forms"]:
            if form in dropped:
                continue
            _add(words, lang, form, Entry(KIND_CUE, r["stage"], sub=r["cue"], max_suffix=ms))
    negative_forms: set[str] = set()
    for r in read_jsonl("modifiers.jsonl") + read_jsonl("modifiers_local.jsonl") + read_jsonl("extras.jsonl"):
        if r["lang"] != lang or r.get("drop") or any(r.get(k) for k in ROLE_RULE_FLAGS):
            continue
        ms = 12 if lang in SUFFIXING else 0
        for form in r["forms"]:
            if form.startswith("-"):
                suffix_forms[fold_form(form[1:], lang)] = r["kind"]
                continue
            _add(
                words,
                lang,
                form,
                Entry(KIND_MOD, r["kind"], sub=r["cue"], value=r.get("value"), max_suffix=ms),
            )
            if r["kind"] == "negative_context":
                negative_forms.add(fold_form(form, lang))
    for r in read_jsonl("categories.jsonl"):
        if r["lang"] != lang:
            continue
        for form in r["forms"]:
            key = fold_form(form, lang)
            short = 4 if lang in CASE_ENDINGS else 1  # ro 'tanc' -> 'tancuri', sq 'dron' -> 'dronëve'
            ms = 12 if lang in SUFFIXING else (short if len(key) <= 4 else 6)
            words.add(key, Entry(KIND_CATEGORY, r["category"], max_suffix=ms))
    suffix_re = None
    if suffix_forms:
        alts = "|".join(re.escape(f) for f in sorted(suffix_forms, key=len, reverse=True))
        suffix_re = re.compile(r"(?<=\w)(?:" + alts + r")(?!\w)")
    return Matcher(
        lang=lang,
        words=words,
        systems=system_trie(lang in ACCENT_FOLD_LANGS),
        suffix_re=suffix_re,
        suffix_kinds=suffix_forms,
        negative_forms=negative_forms,
    )
