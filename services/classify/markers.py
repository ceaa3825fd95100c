"""Role markers around a name: prepositions, postpositions, proclitics, case endings, and those the verb directs.

'from Denmark', 'Danimarka'dan', 'מאיטליה' mark a seller; 'to Taiwan', 'لتركيا' a buyer. Some
markers point either way and the verb decides: a dative after a purchase names the seller and
after a sale the buyer ('compra a Dinamarca', 'venta a Turquía'); the agent of a passive is the
buyer of a purchase and the seller of a supply ('ordered by Poland', 'supplied by Germany');
'with' names the buyer when a supplier signs, the seller otherwise.
"""

from __future__ import annotations

import re
from functools import cache

from services.classify.mentions import SentenceMentions
from services.classify.types import KIND_INST, Mention
from services.reference import institution_rows

_LIST_GAP = 40
_ANCHOR_REACH = 70
_CHAIN_REACH = 140
_LIST_JOIN = re.compile(r"[,;、，]|\s(?:and|und|et|y|e|i|и|і|та|ve|și|dhe|oraz)\s")
POSTPOSITIONAL = frozenset({"ja", "ko", "tr", "hi"})
_VERB_LAST = frozenset({"de"})  # 'hat ... mit den Niederlanden ... erhalten': the verb closes the clause
_ZH_SELL = re.compile(r"^.{0,4}?(?:出售|销售|銷售|售予|提供|交付|移交|转让|轉讓|出口)")
_TR_SELLER = re.compile(r"^'?(?:n?[dt][ae]n)")
_TR_CASE = re.compile(r"['’]([a-zçğıöşü]+)$")
_TR_BUYER = re.compile(r"^'?(?:y?[ae]|n?[ae])$|^'?(?:ya|ye|na|ne)\b")


@cache
def proclitic_roles() -> dict[str, dict[str, str]]:
    """Per language, proclitics that mark a name's role: he 'מ' (from) -> seller, 'ל' (to) -> buyer."""
    from services.classify.lexicon import read_jsonl

    out: dict[str, dict[str, str]] = {}
    for r in read_jsonl("modifiers_local.jsonl"):
        if r.get("proclitic"):
            role = "seller" if r["kind"] == "seller_marker" else "buyer"
            out.setdefault(r["lang"], {}).update(dict.fromkeys(r["forms"], role))
    return out


def _attached_role(m: Mention, sm: SentenceMentions, lang: str) -> str:
    """A role written on the name itself: a proclitic before it (he, ar, fa) or a Turkish case ending in it."""
    if lang == "tr":
        case = _TR_CASE.search(sm.norm[m.start : m.end])
        if case:
            if _TR_SELLER.match(case.group(1)):
                return "seller"
            if _TR_BUYER.match(case.group(1)):
                return "buyer"
        return ""
    marks = proclitic_roles().get(lang)
    if not marks:
        return ""
    start = m.start
    while start > 0 and not sm.norm[start - 1].isspace() and m.start - start < 3:
        start -= 1
    prefix = sm.norm[start : m.start]
    for k in range(len(prefix)):
        role = marks.get(prefix[k:])
        if role:
            return role
    return ""


@cache
def _flagged_forms(lang: str, flag: str) -> frozenset[str]:
    """The folded forms of lang's modifiers_local.jsonl rows that carry flag ("dative", "counterparty")."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    return frozenset(
        fold_form(f, lang)
        for r in read_jsonl("modifiers_local.jsonl")
        if r.get(flag) and r["lang"] == lang
        for f in r["forms"]
    )


def dative_forms(lang: str) -> frozenset[str]:
    """Prepositions whose direction follows the verb: 'compra a Dinamarca' (from), 'venta a Turquía' (to)."""
    return _flagged_forms(lang, "dative")


def _dative_role(mod: Mention, sm: SentenceMentions, lang: str) -> str:
    """The role a dative preposition gives: seller after a purchase word, buyer after a sale or a delivery."""
    before = [c for c in sm.cues if c.end <= mod.start and mod.start - c.end <= 70]
    if not before:
        return "buyer"
    return "buyer" if _supply_side(before[-1], sm, lang) else "seller"


@cache
def _agent_data(lang: str) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """(agent prepositions, the passive auxiliaries they need as one pattern; None when any use is an agent)."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    forms: set[str] = set()
    aux: list[str] = []
    for r in read_jsonl("modifiers_local.jsonl"):
        if r.get("agent") and r["lang"] == lang:
            forms.update(fold_form(f, lang) for f in r["forms"])
            aux.extend(fold_form(f, lang) for f in r.get("passive", []))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, aux)) + r")(?!\w)") if aux else None
    return frozenset(forms), pattern


def counterparty_forms(lang: str) -> frozenset[str]:
    """'with': the other side of a deal ('talks with Denmark', 'a contract with Poland')."""
    return _flagged_forms(lang, "counterparty")


def _counterparty_role(mod: Mention, named: Mention, sm: SentenceMentions) -> str:
    """The other side of a supplier is its buyer ('Hanwha signed a contract with Poland'); else the seller."""
    records = institution_rows()
    before = [p for p in sm.parties if p.end <= mod.start and p is not named]
    if not before:
        return "seller"
    last = before[-1]  # the side that signs or talks, nearest before 'with'
    supplier = last.entry.kind == KIND_INST and records[last.entry.data]["kind"] == "defence_company"
    return "buyer" if supplier else "seller"


def agent_forms(lang: str) -> frozenset[str]:
    """Prepositions that name the agent of a passive ('ordered by', 'commandé par', 'von ... bestellt')."""
    return _agent_data(lang)[0]


def _passive(sm: SentenceMentions, lang: str) -> bool:
    aux = _agent_data(lang)[1]
    return aux is None or aux.search(sm.norm) is not None


def _agent_role(mod: Mention, sm: SentenceMentions, lang: str) -> str:
    """The agent of a purchase is its buyer; of a sale, a supply or a delivery, its seller."""

    def gap(c: Mention) -> int:
        return c.start - mod.end if c.start >= mod.end else max(0, mod.start - c.end)

    near = [c for c in sm.cues if gap(c) <= 70 and (c.start < mod.start or lang in _VERB_LAST)]
    if not near:
        return "seller" if mod.entry.data == "seller_marker" else "buyer"
    return "seller" if _supply_side(min(near, key=gap), sm, lang) else "buyer"


def _supply_side(cue: Mention, sm: SentenceMentions, lang: str) -> bool:
    """The cue tells the supplier's act (a sale, a supply, a delivery, a cancellation), not the buyer's."""
    from services.classify.cues import is_sale_word

    return cue.entry.data in ("delivery", "cancellation") or is_sale_word(cue, sm, lang)


@cache
def list_markers() -> frozenset[str]:
    """Headwords of the buyer markers that open a customer list ("including", "darunter")."""
    from services.classify.lexicon import read_jsonl

    return frozenset(r["cue"] for r in read_jsonl("modifiers_local.jsonl") if r.get("list"))


def _anchored(mod: Mention, role: str, sm: SentenceMentions, lang: str, depth: int = 0) -> bool:
    """A marker speaks of a deal when a stage cue (or, for a seller, an item) stands shortly before it.

    A buyer marker also continues a distributive list of anchored ones, each with its own item:
    'approvals: helicopter training for the Netherlands (…), guidance kits for Finland and missiles for Australia'.
    """
    anchors = sm.cues if role == "buyer" else sm.cues + sm.systems + sm.categories
    if lang in _VERB_LAST and any(c.start > mod.end for c in sm.cues):
        return True
    if any(c.start <= mod.start and mod.start - c.end <= _ANCHOR_REACH for c in anchors):
        return True
    if role != "buyer" or depth > 3:
        return False
    prev = max(
        (x for x in sm.modifiers if x.entry.data == "buyer_marker" and x.end <= mod.start),
        key=lambda x: x.start,
        default=None,
    )
    if prev is None:
        return False
    owner = next((p for p in sm.parties if 0 <= p.start - prev.end <= 6), None)
    if owner is None or not 0 < mod.start - owner.end <= _CHAIN_REACH:
        return False
    between = sm.norm[owner.end : mod.start]
    has_item = any(owner.end <= i.start < mod.start for i in sm.systems + sm.categories)
    has_cue = any(owner.end <= c.start < mod.start for c in sm.cues)
    return (
        has_item
        and not has_cue
        and bool(_LIST_JOIN.search(between))
        and _anchored(prev, role, sm, lang, depth + 1)
    )


def marker_role(m: Mention, sm: SentenceMentions, lang: str) -> str:
    """Return "seller" or "buyer" when a role marker is attached to the mention m.

    A buyer marker ("to", "for") counts only after a stage cue ("sale of F-16s to Taiwan").
    """
    best = ""
    for mod in sm.modifiers:
        kind = mod.entry.data
        if kind not in ("seller_marker", "buyer_marker"):
            continue
        if any(p.start <= mod.start < p.end for p in sm.parties):
            continue  # 'ко' of 'Корея', '에' of '에스토니아': part of a name
        role = "seller" if kind == "seller_marker" else "buyer"
        surface = sm.norm[mod.start : mod.end]
        if surface in dative_forms(lang):
            role = _dative_role(mod, sm, lang)
        elif surface in agent_forms(lang) and _passive(sm, lang):
            role = _agent_role(mod, sm, lang)
        elif surface in counterparty_forms(lang):
            role = _counterparty_role(mod, m, sm)
        if lang not in POSTPOSITIONAL and not _anchored(mod, role, sm, lang):
            continue
        if lang in POSTPOSITIONAL:
            attached = not mod.entry.sub.startswith("-") or sm.norm[m.end : mod.start] in ("", "'", "’")
            if m.end <= mod.start <= m.end + 2 and attached:  # 'Polonya'ya', not the 'e' of 've'
                best = role
        elif (
            mod.end <= m.start and m.start - mod.end <= 6 and not sm.norm[mod.end : m.start].strip(" '\"«»„“")
        ):
            best = role
        elif mod.entry.sub in list_markers() and 0 <= m.start - mod.end <= _LIST_GAP:
            if not any(ch in sm.norm[mod.end : m.start] for ch in ",;:()"):
                best = role  # 'including former Soviet states Azerbaijan and Ukraine' (R4)
        elif mod.end <= m.start and m.start - mod.end <= 8:
            gap = sm.norm[mod.end : m.start].strip()
            if gap in (
                "the",
                "der",
                "die",
                "den",
                "dem",
                "la",
                "le",
                "el",
                "il",
                "lo",
                "l'",
                "o",
                "a",
                "os",
                "de la",
            ):
                best = role
    if best == "seller" and lang == "zh" and _ZH_SELL.match(sm.norm[m.end : m.end + 12]):
        best = "buyer"  # 向台湾出售: 向 + buyer before a sell verb
    if lang == "tr":
        tail = sm.norm[m.end : m.end + 6]
        if _TR_SELLER.match(tail):
            best = "seller"
    return _attached_role(m, sm, lang) or best
