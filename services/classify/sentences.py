"""Split an article's title and text into sentences, keeping each sentence verbatim."""

from __future__ import annotations

import itertools
import re

from services.classify.types import Sentence

# A sentence ends at a line break, or after ., !, ? (and CJK 。！？) followed by space and a
# non-lower-case character. Abbreviations and initials ("U.S.", "Dr.", "No. 5") do not end one.
_CJK_END = re.compile(r"(?<=[。！？])")
_LATIN_END = re.compile(r"(?<=[.!?…])[\"”»’')\]]*\s+(?=[\"“„«(\[]?[^\s\da-zà-ÿа-яёіїєґα-ω])")
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Adm|Sgt|St|No|Nr|Rs|vs|etc|Inc|Ltd|Co"
    r"|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|bzw|ca|Dr|z\.B|u\.a|gen|г|ул|им|т\.е|т\.д|р|млн"
    r"|млрд|тыс|wg|np|tj|tzw|ok|art|Sr|Jr|Bd|Abs|Nº|n)\.)$"
)
_MIN_LEN = 3


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of text with their character offsets.

    Args:
        text: the article body.

    Returns:
        Sentences in order; each ``text`` is a verbatim slice ``text[start:start+len]``, stripped.
    """
    out: list[Sentence] = []
    pos = 0
    for line in text.split("\n"):
        _split_line(line, pos, out)
        pos += len(line) + 1
    return out


def _split_line(line: str, offset: int, out: list[Sentence]) -> None:
    cuts = [0]
    for m in _LATIN_END.finditer(line):
        head = line[: m.start()].rstrip("\"”»’')]")
        tail = head.rsplit(None, 1)[-1] if head.split() else ""
        if _ABBREV.search(tail) or re.fullmatch(r"\(?\d{1,2}\.", tail):
            continue
        cuts.append(m.end())
    for m in _CJK_END.finditer(line):
        if 0 < m.end() < len(line):
            cuts.append(m.end())
    cuts = [*sorted(set(cuts)), len(line)]
    for a, b in itertools.pairwise(cuts):
        piece = line[a:b]
        stripped = piece.strip()
        if len(stripped) < _MIN_LEN:
            continue
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(text=stripped, start=offset + a + lead))
