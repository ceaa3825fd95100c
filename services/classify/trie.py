"""A character trie that finds every lexicon form in a normalised sentence in one pass.

Matching follows the lexicon conventions: forms start at a word start (any position for
CJK), may follow a one-to-three-letter proclitic in Arabic and Hebrew, and end at a word
end unless their entry allows a suffix (Turkish and Korean endings, inflected names).
A "loose" trie ignores spaces, hyphens and dots inside the text, so "F 35", "F-35" and
"F35" all meet the key "f35" (used for system designations).
"""

from __future__ import annotations

from collections.abc import Iterator

from services.classify.types import Entry

_END = ""
LOOSE_SKIP = frozenset(" -./_")
PROCLITICS = {
    "ar": frozenset("وفبلك"),
    "he": frozenset("והבלמשכ"),
    "fa": frozenset("ب"),
}

TrieNode = dict[str, "TrieNode | list[Entry]"]


class Trie:
    """A dict-of-dicts trie mapping normalised forms to their entries."""

    def __init__(self, loose: bool = False) -> None:
        self.root: TrieNode = {}
        self.loose = loose
        self.size = 0

    def add(self, key: str, entry: Entry) -> None:
        """Add one normalised key (spaces and hyphens removed first in a loose trie)."""
        if self.loose:
            key = "".join(c for c in key if c not in LOOSE_SKIP)
        if not key:
            return
        node = self.root
        for ch in key:
            nxt = node.get(ch)
            if nxt is None:
                nxt = {}
                node[ch] = nxt
            node = nxt  # type: ignore[assignment]
        bucket = node.get(_END)
        if bucket is None:
            node[_END] = [entry]
            self.size += 1
        elif entry not in bucket:
            bucket.append(entry)  # type: ignore[union-attr]

    def walk(self, text: str, start: int) -> Iterator[tuple[int, list[Entry]]]:
        """Yield (end, entries) for every key that matches text from start."""
        node = self.root
        n = len(text)
        i = start
        loose = self.loose
        while i < n:
            ch = text[i]
            nxt = node.get(ch)
            if nxt is None:
                if loose and ch in LOOSE_SKIP and i > start:
                    i += 1
                    continue
                return
            node = nxt  # type: ignore[assignment]
            i += 1
            bucket = node.get(_END)
            if bucket is not None:
                yield i, bucket  # type: ignore[misc]


def word_starts(cls: str, text: str, lang: str) -> list[int]:
    """Return positions where a form may start: word starts, CJK characters, after proclitics."""
    starts: list[int] = []
    prev = " "
    procl = PROCLITICS.get(lang)
    for i, c in enumerate(cls):
        if c == "C":
            starts.append(i)
        elif c != " " and c != prev:
            starts.append(i)
            if procl is not None and c in "AH":
                j = i
                while j < i + 3 and j + 1 < len(text) and text[j] in procl and cls[j + 1] == c:
                    j += 1
                    starts.append(j)
                if lang == "ar" and text.startswith("ال", j) and j + 2 < len(text) and cls[j + 2] == c:
                    starts.append(j + 2)
        prev = c
    return starts


def find_all(
    trie: Trie, text: str, cls: str, starts: list[int], raw: str | None
) -> list[tuple[int, int, Entry]]:
    """Return every (start, end, entry) match of trie in text that respects word boundaries.

    Args:
        trie: the trie to search.
        text: the normalised sentence.
        cls: per-character classes of text (normalize.classes).
        starts: candidate start positions (word_starts).
        raw: the NFKC sentence when it has the same length as text (for case-sensitive forms).

    Returns:
        A list of matches; overlapping matches are all kept.
    """
    out: list[tuple[int, int, Entry]] = []
    n = len(text)
    for s in starts:
        for end, entries in trie.walk(text, s):
            last = cls[end - 1]
            if end < n and cls[end] == last and last not in " C":
                rest = end
                while rest < n and cls[rest] == last:
                    rest += 1
                suffix = rest - end
            else:
                suffix = 0
            for e in entries:
                if suffix and suffix > e.max_suffix and not e.prefix:
                    continue
                if e.case_form is not None and raw is not None and raw[s:end] != e.case_form:
                    continue
                out.append((s, end, e))
    return out
