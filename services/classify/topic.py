"""The article's main system, and the generic nouns ('the aircraft', 'i velivoli') that refer back to it."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from services.classify.lexicon import read_jsonl, systems_table
from services.classify.mentions import SentenceMentions
from services.classify.normalize import fold_form

_TITLE_WEIGHT = 3
_MIN_SCORE = 3  # the title's system, or a system named at least three times
_UNSPACED = frozenset({"zh", "ja"})


def topic_system(sentences: list[SentenceMentions], title: SentenceMentions | None) -> int | None:
    """Return the index of the system the article is about, when one family clearly leads.

    Args:
        sentences: the mentions of the article's sentences.
        title: the mentions of its title, if any.

    Returns:
        The most named designation of the leading family, or None when no family leads.
    """
    table = systems_table()
    families: Counter[str] = Counter()
    designations: Counter[int] = Counter()
    for weight, sms in ((_TITLE_WEIGHT, [title] if title is not None else []), (1, sentences)):
        for sm in sms:
            for m in sm.systems:
                if m.entry.sub == "weak_alias":
                    continue
                families[table[m.entry.data].family.lower()] += weight
                designations[m.entry.data] += weight
    ranked = families.most_common(2)
    if not ranked or ranked[0][1] < _MIN_SCORE or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
        return None
    family = ranked[0][0]
    return max(
        (idx for idx in designations if table[idx].family.lower() == family),
        key=lambda idx: designations[idx],
    )


@cache
def _anaphora(lang: str) -> re.Pattern[str] | None:
    forms = sorted(
        {
            fold_form(f, lang)
            for r in read_jsonl("anaphora_words.jsonl")
            if r["lang"] == lang
            for f in r["forms"]
        },
        key=len,
        reverse=True,
    )
    if not forms:
        return None
    alts = "|".join(re.escape(f) for f in forms)
    if lang in _UNSPACED:
        return re.compile(alts)
    return re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)")


def anaphor_span(sm: SentenceMentions, lang: str) -> tuple[int, int] | None:
    """Return the span of the first generic equipment noun of the sentence, if any."""
    pattern = _anaphora(lang)
    if pattern is None:
        return None
    m = pattern.search(sm.norm)
    return (m.start(), m.end()) if m else None
