"""Find the mentions in one sentence: parties, systems, categories, stage cues, modifiers and numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.classify.lexicon import Matcher
from services.classify.normalize import classes, fold, nfkc
from services.classify.trie import find_all, word_starts
from services.classify.types import (
    KIND_CATEGORY,
    KIND_COUNTRY,
    KIND_CUE,
    KIND_INST,
    KIND_MOD,
    KIND_SYSTEM,
    Entry,
    Mention,
)

_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])\d{1,3}(?:[,. ]\d{3})+(?![\d])|(?<![0-9A-Za-z.,])\d+(?:[.,]\d+)?(?![\d])"
)


# 'F110-GE-129D' (an engine) is not the F-110 frigate: a designation going on with a coded part.
_LONGER_DESIGNATION = re.compile(r"-[a-z]{1,4}-?\d")


_DRIVE = re.compile(r"(?<![\w.,])\d{1,2}\s?[x×х]\s?\d{1,2}(?!\w)")
_MODALITY = frozenset({"negation", "future_or_plan", "hypothetical", "report_or_rumour"})


@dataclass(slots=True)
class NumberMention:
    """A number in the sentence (digits or number words) with its span."""

    start: int
    end: int
    value: float
    is_word: bool = False


@dataclass(slots=True)
class SentenceMentions:
    """All mentions of one sentence, by kind, each list sorted by start."""

    norm: str
    raw: str
    parties: list[Mention] = field(default_factory=list)
    systems: list[Mention] = field(default_factory=list)
    categories: list[Mention] = field(default_factory=list)
    cues: list[Mention] = field(default_factory=list)
    modifiers: list[Mention] = field(default_factory=list)
    negatives: list[Mention] = field(default_factory=list)
    numbers: list[NumberMention] = field(default_factory=list)

    def mods(self, kind: str) -> list[Mention]:
        """Return the modifiers of one kind."""
        return [m for m in self.modifiers if m.entry.data == kind]


def _longest_first(ms: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (earlier start wins ties)."""
    ms = sorted(ms, key=lambda m: (-(m.end - m.start), m.start))
    taken: list[tuple[int, int]] = []
    out: list[Mention] = []
    for m in ms:
        if any(m.start < b and a < m.end for a, b in taken):
            continue
        taken.append((m.start, m.end))
        out.append(m)
    return sorted(out, key=lambda m: m.start)


def _inside_longer(m: Mention, others: list[Mention]) -> bool:
    """m lies inside a strictly longer mention of others."""
    return any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start for o in others)


def _system_ok(m: Mention, raw: str | None) -> bool:
    """A weak bare system name needs a capital letter in the original (Patriot, not patriot)."""
    if m.entry.sub != "weak_name" or raw is None:
        return True
    first = raw[m.start]
    return not first.isalpha() or first.isupper() or first.lower() == first.upper()


def _capital_ok(entry: Entry, first: str) -> bool:
    """Country names and named institutions start with a capital in cased scripts ("того" is not Togo)."""
    if (entry.kind == KIND_COUNTRY and entry.sub == "name") or (entry.kind == KIND_INST and not entry.weak):
        return not (first.isalpha() and first.islower())
    return True


def parse_number(text: str) -> float | None:
    """Parse a digit string with thousands separators or a decimal part ("6,900", "2.5", "1 000")."""
    t = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", t):
        return float(re.sub(r"[,.]", "", t))
    try:
        return float(t.replace(",", "."))
    except ValueError:
        return None


def find_mentions(sentence: str, m: Matcher) -> SentenceMentions:
    """Return every mention in sentence found by the language matcher m.

    Args:
        sentence: the verbatim sentence.
        m: the matcher of the sentence's language.

    Returns:
        The mentions; overlapping entities and overlapping cues resolve longest-first.
    """
    raw = nfkc(sentence)
    norm = fold(raw, m.lang)
    cls = classes(norm)
    starts = word_starts(cls, norm, m.lang)
    same_len = raw if len(raw) == len(norm) else None
    entities: list[Mention] = []
    cues: list[Mention] = []
    mods: list[Mention] = []
    for s, e, entry in find_all(m.words, norm, cls, starts, same_len):
        mention = Mention(s, e, entry)
        if same_len is not None and not _capital_ok(entry, same_len[s]):
            continue
        if entry.kind in (KIND_COUNTRY, KIND_INST, KIND_CATEGORY):
            entities.append(mention)
        elif entry.kind == KIND_CUE or (entry.kind == KIND_MOD and entry.data == "negative_context"):
            cues.append(mention)
        else:
            mods.append(mention)
    for s, e, entry in find_all(m.systems, norm, cls, starts, None):
        mention = Mention(s, e, entry)
        if _system_ok(mention, same_len) and not _LONGER_DESIGNATION.match(norm, e):
            entities.append(mention)
    if m.suffix_re is not None:
        for sm in m.suffix_re.finditer(norm):
            kind = m.suffix_kinds[sm.group(0)]
            mods.append(Mention(sm.start(), sm.end(), Entry(KIND_MOD, kind, sub="-" + sm.group(0))))
    out = SentenceMentions(norm=norm, raw=raw)
    cats = _longest_first([x for x in entities if x.entry.kind == KIND_CATEGORY])
    named = _longest_first([x for x in entities if x.entry.kind != KIND_CATEGORY])
    for mention in named:
        if mention.entry.kind != KIND_SYSTEM and _inside_longer(mention, cats):
            continue  # 'military' of 'military vehicles' is the item, not a force
        (out.systems if mention.entry.kind == KIND_SYSTEM else out.parties).append(mention)
    # Category nouns are kept under a system name too ('light utility helicopter'): when the
    # weak name is not taken as a system, the category still names the item.
    for mention in cats:
        if not any(p.start < mention.end and mention.start < p.end for p in out.parties):
            out.categories.append(mention)
    for mention in _longest_first(cues):
        if mention.entry.kind == KIND_CUE:
            out.cues.append(mention)
        else:
            out.negatives.append(mention)
    longer = [x for x in mods + out.cues if x.entry.data not in ("seller_marker", "buyer_marker")]
    out.modifiers = sorted(
        (
            x
            for x in mods
            if x.entry.data not in ("seller_marker", "buyer_marker")
            or not any(
                o.start <= x.start and x.end <= o.end and o.end - o.start > x.end - x.start and x.end != o.end
                for o in longer
            )
        ),
        key=lambda x: x.start,
    )
    names = out.parties + out.systems
    out.modifiers = [
        x
        for x in out.modifiers
        if x.entry.data not in _MODALITY or not any(n.start <= x.start and x.end <= n.end for n in names)
    ]  # 'không' (not) of 'không quân' (air force) is part of the name
    out.modifiers = [
        x
        for x in out.modifiers
        if x.entry.data not in _MODALITY
        or not any(
            o.start <= x.start and x.end <= o.end and o.end - o.start > x.end - x.start for o in out.modifiers
        )
    ]  # '予定' of '予定通り' (as scheduled), '未' of '未来' (the future): the longer form speaks
    drives = [(d.start(), d.end()) for d in _DRIVE.finditer(norm)]
    for nm in _NUMBER.finditer(norm):
        value = parse_number(nm.group(0))
        if any(x.start <= nm.start() and nm.end() <= x.end for x in out.systems):
            continue  # the '17' of 'JF-17' counts nothing
        if any(a <= nm.start() and nm.end() <= b for a, b in drives):
            continue  # '4x4', '8×8': a drive, not a count
        if value is not None:
            out.numbers.append(NumberMention(nm.start(), nm.end(), value))
    for mod in out.modifiers:
        if mod.entry.data == "number_words" and mod.entry.value is not None:
            out.numbers.append(NumberMention(mod.start, mod.end, float(mod.entry.value), is_word=True))
    out.numbers.sort(key=lambda n: n.start)
    _ = KIND_COUNTRY, KIND_INST
    return out
