"""Rebuild the classifier's data files from the shared reference data and CLDR (run by hand, not at runtime).

Usage::

    python -m services.classify.build_data [REFERENCE_DIR]

It copies ``systems``, ``institutions`` and the cue lexicon from REFERENCE_DIR
(default ``../shared/data/reference``) into ``services/classify/data/`` and builds
``countries.jsonl`` (CLDR names via Babel + reference case forms and demonyms).
Hand-written project files (``*_local.jsonl``, ``categories.jsonl``) are never touched;
they are merged over the copies when the data is loaded.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from babel import Locale

from services.classify.lexicon import LANGUAGES
from services.reference import CountryRow

DATA = Path(__file__).parent / "data"
LANGS = list(LANGUAGES)


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _cldr_names(lang: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    locales = [lang, "zh_Hant"] if lang == "zh" else [lang]
    for loc in locales:
        for code, name in Locale.parse(loc).territories.items():
            if not re.fullmatch(r"[A-Z]{2}", code) or code in {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}:
                continue
            parts = [p.strip() for p in re.split(r"[()（）]", name) if p.strip()]
            parts = [p for p in parts if len(p) > 1]  # 刚果（布）: no one-character names
            out.setdefault(code, [])
            for part in [name, *parts]:
                if part not in out[code]:
                    out[code].append(part)
    return _drop_shared_brackets(out)


def _drop_shared_brackets(names: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop a bracket part naming another territory ("Внешние малые острова (США)" is not "США")."""
    owners: dict[str, set[str]] = {}
    for code, forms in names.items():
        for f in forms:
            owners.setdefault(f, set()).add(code)
    out: dict[str, list[str]] = {}
    for code, forms in names.items():
        inner = set(re.split(r"[()（）]", forms[0])[1:]) if forms else set()
        out[code] = [f for f in forms if not (f in {p.strip() for p in inner} and len(owners[f]) > 1)]
    return out


def build_countries(ref: Path) -> list[CountryRow]:
    """Return one record per (iso, lang): names, demonyms and case-sensitive abbreviations."""
    table: dict[tuple[str, str], CountryRow] = {}

    def rec(iso: str, lang: str) -> CountryRow:
        return table.setdefault(
            (iso, lang), {"iso": iso, "lang": lang, "names": [], "demonyms": [], "abbr": []}
        )

    def add(forms: list[str], new: list[str]) -> None:
        for f in new:
            if f and f not in forms:
                forms.append(f)

    for lang in LANGS:
        for iso, names in _cldr_names(lang).items():
            add(rec(iso, lang)["names"], names)
    for row in _read(ref / "country_forms.jsonl"):
        add(rec(row["iso"], row["lang"])["names"], row["forms"])
    for row in _read(ref / "demonyms.jsonl"):
        r = rec(row["iso"], row["lang"])
        add(r["demonyms"], row["forms"])
        add(r["abbr"], row.get("abbr", []))
    return sorted(table.values(), key=lambda r: (r["lang"], r["iso"]))


def main(argv: list[str]) -> None:
    ref = Path(argv[1]) if len(argv) > 1 else Path(__file__).parents[2] / ".." / "shared/data/reference"
    DATA.mkdir(exist_ok=True)
    for name in ("systems.jsonl", "institutions.jsonl"):
        shutil.copyfile(ref / name, DATA / name)
    for name in ("stage_cues.jsonl", "modifiers.jsonl", "extras.jsonl"):
        shutil.copyfile(ref / "lexicon" / name, DATA / name)
    with (DATA / "countries.jsonl").open("w", encoding="utf-8") as fh:
        for row in build_countries(ref):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv)
