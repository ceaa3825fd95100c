"""Negative filters: combat use, exercises, tests, accidents, civil orders, aggregates and similar contexts."""

from __future__ import annotations

from services.classify.mentions import SentenceMentions
from services.classify.types import Mention

# Negative cue headwords (lexicon "cue" field) that rule out the whole sentence wherever they
# stand: civil airlines, company revenue, the 'buy time' idiom, sanctions and arms control.
SENTENCE_WIDE = frozenset(
    [
        "airline",
        "Fluggesellschaft",
        "авиакомпания",
        "авіакомпанія",
        "aerolínea",
        "havayolu",
        "maskapai",
        "航空公司",
        "항공사",
        "航空会社",
        "هواپیمایی",
        "एयरलाइन",
        "revenue",
        "Umsatz",
        "выручка",
        "виторг",
        "ingresos",
        "ricavi",
        "receita",
        "przychody",
        "venituri",
        "إيرادات",
        "营收",
        "매출",
        "売上",
        "درآمد",
        "הכנסות",
        "राजस्व",
        "pendapatan",
        "έσοδα",
        "sanctions",
        "Sanktionen",
        "санкции",
        "санкції",
        "sanciones",
        "sanzioni",
        "sanções",
        "sankcje",
        "yaptırım",
        "sancțiuni",
        "sanksione",
        "عقوبات",
        "制裁",
        "제재",
        "تحریم",
        "סנקציות",
        "प्रतिबंध",
        "sanksi",
        "κυρώσεις",
    ]
) | {
    "buy time",
    "arms control",
    "compagnie aérienne",
    "compagnia aerea",
    "companhia aérea",
    "linie lotnicze",
    "companie aeriană",
    "linjë ajrore",
    "طيران مدني",
    "חברת תעופה",
    "hãng hàng không",
    "αεροπορική εταιρεία",
    "chiffre d'affaires",
    "të ardhura",
    "doanh thu",
    "trừng phạt",
}
_NEAR = 40
_NEAR_CJK = 14  # characters: a CJK sentence packs more words into fewer characters


def _live_negatives(sm: SentenceMentions) -> list[Mention]:
    """Negative cues that are not part of a longer entity (戦闘 inside 戦闘機, 'test' in a name)."""
    ents = sm.systems + sm.categories + sm.parties
    return [n for n in sm.negatives if not any(e.start <= n.start and n.end <= e.end for e in ents)]


def blocked_by_negative(cue: Mention, sm: SentenceMentions, lang: str = "en") -> str | None:
    """Return the negative cue that rules out this stage cue, or None.

    A negative context blocks a cue in the same clause or within a few words of it; the
    few cues in SENTENCE_WIDE (civil buyers, earnings, idioms, sanctions) block the sentence.
    """
    for neg in _live_negatives(sm):
        group = neg.entry.sub
        if group in SENTENCE_WIDE:
            return group
        if abs(neg.start - cue.start) <= (_NEAR_CJK if lang in ("zh", "ja") else _NEAR):
            return group
    return None
