"""Normalise text for matching: NFKC, lower case, script folding, and per-character classes.

The folding keeps the length of Latin, Cyrillic and Greek text unchanged, so offsets in a
normalised sentence point at the same characters of the NFKC original (used for
case-sensitive checks). Arabic-script and Hebrew vowel marks are dropped.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ACCENT_FOLD_LANGS = frozenset({"el", "ro"})

_SPECIAL = {
    "İ": "i",
    "ς": "σ",
    "ي": "ي",
    "ی": "ي",
    "ى": "ي",
    "ك": "ك",
    "ک": "ك",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "\u200c": " ",
    "\u200d": "",
    "\u200f": "",
    "\u200e": "",
    "\u00ad": "",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "`": "'",
    "´": "'",
    "״": '"',
    "׳": "'",
    "ş": "ș",
    "ţ": "ț",
    "\u3000": " ",
    "\xa0": " ",
}
for _i, _d in enumerate("٠١٢٣٤٥٦٧٨٩"):
    _SPECIAL[_d] = str(_i)
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _SPECIAL[_d] = str(_i)
for _i, _d in enumerate("०१२३४५६७८९"):
    _SPECIAL[_d] = str(_i)
_SPECIAL["٬"] = ","
_SPECIAL["٫"] = "."


def _is_mark_dropped(ch: str) -> bool:
    """Arabic tashkeel and Hebrew niqqud are dropped; other combining marks stay."""
    o = ord(ch)
    return 0x064B <= o <= 0x065F or o == 0x0670 or (0x0591 <= o <= 0x05C7 and ch not in "־׀׃׆")


class _FoldTable(dict[int, str]):
    """A str.translate table computed lazily, one character at a time."""

    def __init__(self, accent_fold: bool) -> None:
        super().__init__()
        self.accent_fold = accent_fold

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = _SPECIAL.get(ch)
        if out is None:
            if _is_mark_dropped(ch):
                out = ""
            else:
                low = ch.lower()
                out = low if len(low) == 1 else ch
                if self.accent_fold:
                    bare = "".join(
                        c for c in unicodedata.normalize("NFD", out) if not unicodedata.combining(c)
                    )
                    if len(bare) == 1:
                        out = _SPECIAL.get(bare, bare)
        self[code] = out
        return out


_TABLES = {False: _FoldTable(False), True: _FoldTable(True)}


def nfkc(text: str) -> str:
    """Return the NFKC form of text (the base every offset refers to)."""
    return unicodedata.normalize("NFKC", text)


def fold(text: str, lang: str) -> str:
    """Return text normalised for matching in language lang (input should be NFKC already)."""
    return text.translate(_TABLES[lang in ACCENT_FOLD_LANGS])


def fold_form(form: str, lang: str) -> str:
    """Normalise a lexicon form the same way as text, with runs of spaces collapsed."""
    return " ".join(fold(nfkc(form), lang).split())


# Character classes: one letter per script written with spaces ("L" Latin, "Y" Cyrillic,
# "G" Greek, "A" Arabic, "H" Hebrew, "D" Devanagari, "K" Hangul, "O" other letters),
# "N" digits, "C" CJK ideographs and kana (words are not delimited), " " anything else.
# A word boundary is a change of class, so "K2를" splits into "K2" + particle.
_RANGES = (
    (0x0000, 0x024F, "L"),
    (0x0250, 0x036F, "L"),
    (0x0370, 0x03FF, "G"),
    (0x0400, 0x052F, "Y"),
    (0x0590, 0x05FF, "H"),
    (0x0600, 0x06FF, "A"),
    (0x0750, 0x077F, "A"),
    (0x0900, 0x097F, "D"),
    (0x1100, 0x11FF, "K"),
    (0x1E00, 0x1EFF, "L"),
    (0x1F00, 0x1FFF, "G"),
    (0x3040, 0x30FF, "C"),
    (0x3130, 0x318F, "K"),
    (0x3400, 0x9FFF, "C"),
    (0xAC00, 0xD7AF, "K"),
    (0xF900, 0xFAFF, "C"),
    (0xFB50, 0xFDFF, "A"),
    (0xFE70, 0xFEFF, "A"),
    (0x20000, 0x2FFFF, "C"),
)


@lru_cache(maxsize=65536)
def char_class(ch: str) -> str:
    """Return the matching class of one character (see the table above)."""
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return "N"
    if ch in "ー々":
        return "C"
    if cat[0] not in "LM":
        return " "
    o = ord(ch)
    for lo, hi, cls in _RANGES:
        if lo <= o <= hi:
            return cls
    return "O"


def classes(text: str) -> str:
    """Return a string of per-character classes for text (same length)."""
    return "".join([char_class(c) for c in text])
