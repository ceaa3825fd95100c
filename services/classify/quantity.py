"""Attach quantities (R17) and money values to the systems of a sentence."""

from __future__ import annotations

import re

from services.classify.mentions import NumberMention, SentenceMentions
from services.classify.types import Mention

_AFTER_MONEY = re.compile(
    r"^\s*(?:%|percent|per cent|prozent|процент|million|mln|mio|milliard|billion|bn|crore|cr\b|lakh|млн|млрд|тыс"
    r"|миллион|миллиард|мільйон|мільярд|milion|miliard|milyar|milyon|miliar|juta|triệu|tỷ|εκατ|δισ|億|亿|万|萬"
    r"|억|조|만|원|円|元|ドル|美元|달러|euro|eur|usd|dollar|\$|€|£|francs?|pesos|reais|rupees|рубл|доллар|евро"
    r"|долар|євро|zł|złotych|lira|tl\b|lei|دولار|یورو|تومان|ریال|روپے|रुपये|करोड़|लाख|מיליון|מיליארד|דולר"
    r"|km|kilomet|m\b|meter|tonnes?|tons?|mm\b|years?|jahre|лет|років|anni|años|anos|ans|yıl|năm|年|년)",
    re.I,
)
_BEFORE_MONEY = re.compile(r"(?:[$€£₹¥]|usd|eur|rs\.?|inr|us\$|\bno\.?|№|nr\.?)\s*$", re.I)
_VALUE = re.compile(
    r"(?:(?P<cur1>[$€£₹]|US\$|USD|EUR|Rs\.?|INR|₹)\s?(?P<num1>\d[\d,.]*)\s?(?P<mul1>million|billion|bn|crore|lakh|mn)?)"
    r"|(?:(?P<num2>\d[\d,.]*)\s?(?P<mul2>million|billion|milliards?|millions?|Milliarden|Millionen|Mrd\.?|Mio\.?|crore)\s"
    r"(?:(?:of\s)?(?:euros?|dollars?|Euro|US-Dollar|francs|USD|EUR)))",
)
_COUNTER_LANGS = frozenset({"zh", "ja", "ko", "vi", "id"})


def _is_count(n: NumberMention, sm: SentenceMentions) -> bool:
    """A number that counts things: not money, a percentage, a year, a date or part of a designation."""
    if any(s.start <= n.start < s.end for s in sm.systems):
        return False
    after = sm.norm[n.end : n.end + 14]
    if _AFTER_MONEY.match(after):
        return False
    if _BEFORE_MONEY.search(sm.norm[max(0, n.start - 5) : n.start]):
        return False
    if not n.is_word and 1900 <= n.value <= 2100 and n.value == int(n.value):
        return False
    if after[:1] in ("-", "/", ".", ":") and after[1:2].isdigit():
        return False
    if sm.norm[n.start - 1 : n.start] in ("-", "/", ":"):
        return False
    return n.value == int(n.value) and 0 < n.value < 1_000_000


_CJK = frozenset({"zh", "ja", "ko"})


def _counted(n: NumberMention, sm: SentenceMentions) -> bool:
    """A counter word (架, 輛, 機, 대, chiếc) follows the number."""
    return any(m.entry.data == "counter" and n.end <= m.start <= n.end + 1 for m in sm.modifiers)


def quantity_for(
    item: Mention, sm: SentenceMentions, lang: str, other_items: list[Mention]
) -> tuple[int | None, bool]:
    """Return (quantity, approx) for the system or category mention item.

    Args:
        item: the system or category mention.
        sm: the sentence's mentions.
        lang: the sentence language (decides whether counters after the item count).
        other_items: the sentence's other item mentions (a number belongs to the nearest).

    Returns:
        The stated number for the item and whether it is approximate; (None, False) otherwise.
    """
    best: NumberMention | None = None
    for n in sm.numbers:
        if not _is_count(n, sm):
            continue
        if n.end <= item.start and item.start - n.end <= 40:
            if lang in _CJK and item.start - n.end > 2 and not _counted(n, sm):
                continue  # 八大軍售: a CJK count carries its counter (8 sales, not 8 rockets)
            if any(
                n.end <= o.start < item.start for o in other_items if o is not item and o.start != item.start
            ):
                continue
            best = n
        elif n.start >= item.end and n.start - item.end <= 24:
            counter = any(m.entry.data == "counter" and n.end <= m.start <= n.end + 1 for m in sm.modifiers)
            if counter and best is None:
                best = n
                break
    if best is None:
        return None, False
    approx = any(
        m.entry.data == "quantity_approx" and (m.end <= best.start and best.start - m.end <= 3)
        for m in sm.modifiers
    ) or any(
        m.entry.data == "quantity_approx"
        and 0 <= m.start - best.end <= 3
        and lang in _COUNTER_LANGS | {"tr", "hi"}
        for m in sm.modifiers
    )
    return int(best.value), approx


def value_in(sentence: str) -> str | None:
    """Return the first money amount of the sentence as 'CUR amount multiplier' (e.g. 'USD 8 billion')."""
    m = _VALUE.search(sentence)
    if not m:
        return None
    cur = m.group("cur1") or ""
    code = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "Rs": "INR", "Rs.": "INR"}.get(
        cur, cur
    )
    if m.group("num1"):
        mul = m.group("mul1") or ""
        return f"{code} {m.group('num1').rstrip(',.')} {mul}".strip()
    word = m.group(0).split()[-1].lower()
    code = "EUR" if word.startswith("eur") else "USD" if ("dollar" in word or word == "usd") else word.upper()
    mul = m.group("mul2").lower()
    mul = "billion" if mul.startswith(("milliard", "mrd", "billion")) else "million"
    return f"{code} {m.group('num2').rstrip(',.')} {mul}"


_NATIONAL_MONEY = (
    (re.compile(r"\b(?:Rs\.?|INR|crore|lakh)(?:\b|\s)|₹|करोड़|रुपये"), "IN"),
    (re.compile(r"\b(?:zł|złotych|PLN)\b"), "PL"),
    (re.compile(r"₺|\b(?:TL|TRY)\b|Türk lirası"), "TR"),
    (re.compile(r"₩|\bKRW\b|억\s?원|조\s?원"), "KR"),
    (re.compile(r"R\$|\bBRL\b|\breais\b"), "BR"),
    (re.compile(r"₪|\bNIS\b|שקל"), "IL"),
    (re.compile(r"₴|\bUAH\b|гривень|гривен"), "UA"),
    (re.compile(r"\bCHF\b|Franken"), "CH"),
    (re.compile(r"\bRp\.?\s?\d|\bIDR\b|rupiah"), "ID"),
    (re.compile(r"\bPKR\b"), "PK"),
    (re.compile(r"\bSEK\b|kronor"), "SE"),
    (re.compile(r"\bNOK\b"), "NO"),
    (re.compile(r"\bAUD\b|A\$"), "AU"),
    (re.compile(r"\bCAD\b|C\$"), "CA"),
)


def money_country(sentence: str) -> str | None:
    """The country whose national currency the sentence names (Rs / crore -> IN), or None."""
    for pattern, iso in _NATIONAL_MONEY:
        if pattern.search(sentence):
            return iso
    return None
