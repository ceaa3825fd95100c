"""Turn a sentence's party mentions into buyers and sellers using role markers, producers and position."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from services.classify.lexicon import institution_records, systems_table
from services.classify.mentions import SentenceMentions
from services.classify.types import KIND_COUNTRY, KIND_INST, Mention, Party

_MAX_AFTER = 40
_LIST_GAP = 40
_LATE_REACH = 60  # a subject after its verb stands close to it ('negoció Chile')
_QUOTED = re.compile(
    r"[“«„\"「『‹]([^“”«»„\"「」『』‹›]{1,30})[”»“\"」』›]"
)  # a buyer named long after the first cue is rarely its subject
POSTPOSITIONAL = frozenset({"ja", "ko", "tr", "hi"})
_VERB_LAST = frozenset({"de"})  # 'hat ... mit den Niederlanden ... erhalten': the verb closes the clause
# Languages where the subject often follows the verb ("переговоры вели ОАЭ", "negoció Chile").
LATE_SUBJECT = frozenset({"ru", "uk", "pl", "el", "ro", "sq", "ar", "he", "es", "it", "pt"})
_EN_NAMES = {
    "TR": "Turkey",
    "US": "United States",
    "GB": "United Kingdom",
    "KR": "South Korea",
    "KP": "North Korea",
}
_COORD = re.compile(
    r"^[\s,、，;]*(?:and|und|и|і|й|та|et|y|e|i|ve|ile|și|si|dhe|و|和|及|与|與|と|과|와|및|dan|và|και|ו|और|va|or|oraz"
    r"|a|as well as|sowie)?[\s,、，]*(?:the|la|le|les|l'|der|die|das|den|el|los|il|lo|gli|o|os|a|as)?\s*$"
)
_PRODUCER_LINK = re.compile(r"^(?:の|의|的|制|製|产|產|造|-made| made|-built|-produced)\s*$")
_ZH_SELL = re.compile(r"^.{0,4}?(?:出售|销售|銷售|售予|提供|交付|移交|转让|轉讓|出口)")
_TR_SELLER = re.compile(r"^'?(?:n?[dt][ae]n)")
_TR_CASE = re.compile(r"['’]([a-zçğıöşü]+)$")
_TR_BUYER = re.compile(r"^'?(?:y?[ae]|n?[ae])$|^'?(?:ya|ye|na|ne)\b")


@cache
def country_name(iso: str) -> str:
    """Return the English short name of a country code ("TR" -> "Turkey")."""
    if iso in _EN_NAMES:
        return _EN_NAMES[iso]
    name = Locale("en").territories.get(iso, iso)
    return str(name).split(" (")[0]


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
def dative_forms(lang: str) -> frozenset[str]:
    """Prepositions whose direction follows the verb: 'compra a Dinamarca' (from), 'venta a Turquía' (to)."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    return frozenset(
        fold_form(f, lang)
        for r in read_jsonl("modifiers_local.jsonl")
        if r.get("dative") and r["lang"] == lang
        for f in r["forms"]
    )


def _dative_role(mod: Mention, sm: SentenceMentions, lang: str) -> str:
    """The role a dative preposition gives: seller after a purchase word, buyer after a sale or a delivery."""
    from services.classify.cues import is_sale_word

    before = [c for c in sm.cues if c.end <= mod.start and mod.start - c.end <= 70]
    if not before:
        return "buyer"
    cue = before[-1]
    if cue.entry.data in ("delivery", "cancellation") or is_sale_word(cue, sm, lang):
        return "buyer"
    return "seller"


@cache
def _agent_data(lang: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(agent prepositions, passive auxiliaries they need; empty when any use is an agent) of lang."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    forms: set[str] = set()
    aux: list[str] = []
    for r in read_jsonl("modifiers_local.jsonl"):
        if r.get("agent") and r["lang"] == lang:
            forms.update(fold_form(f, lang) for f in r["forms"])
            aux.extend(fold_form(f, lang) for f in r.get("passive", []))
    return frozenset(forms), tuple(aux)


@cache
def counterparty_forms(lang: str) -> frozenset[str]:
    """'with': the other side of a deal ('talks with Denmark', 'a contract with Poland')."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    return frozenset(
        fold_form(f, lang)
        for r in read_jsonl("modifiers_local.jsonl")
        if r.get("counterparty") and r["lang"] == lang
        for f in r["forms"]
    )


def _counterparty_role(mod: Mention, named: Mention, sm: SentenceMentions) -> str:
    """The other side of a supplier is its buyer ('Hanwha signed a contract with Poland'); else the seller."""
    records = institution_records()
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
    return not aux or any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", sm.norm) for a in aux)


def _agent_role(mod: Mention, sm: SentenceMentions, lang: str) -> str:
    """The agent of a purchase is its buyer; of a sale, a supply or a delivery, its seller."""
    from services.classify.cues import is_sale_word

    def gap(c: Mention) -> int:
        return c.start - mod.end if c.start >= mod.end else max(0, mod.start - c.end)

    near = [c for c in sm.cues if gap(c) <= 70 and (c.start < mod.start or lang in _VERB_LAST)]
    if not near:
        return "seller" if mod.entry.data == "seller_marker" else "buyer"
    cue = min(near, key=gap)
    if cue.entry.data in ("delivery", "cancellation") or is_sale_word(cue, sm, lang):
        return "seller"
    return "buyer"


@cache
def list_markers() -> frozenset[str]:
    """Headwords of the buyer markers that open a customer list ("including", "darunter")."""
    from services.classify.lexicon import read_jsonl

    return frozenset(r["cue"] for r in read_jsonl("modifiers_local.jsonl") if r.get("list"))


@dataclass(slots=True)
class RoleParty:
    """A party in a sentence and the role it was given."""

    party: Party
    mention: Mention
    role: str  # "buyer" | "seller" | "producer" | ""
    generic: bool = False


def _party(m: Mention, sm: SentenceMentions) -> Party | None:
    if m.entry.kind == KIND_COUNTRY:
        return Party(country_name(m.entry.data), m.entry.data, m.start)
    if m.entry.kind == KIND_INST:
        rec = institution_records()[m.entry.data]
        iso = rec.get("iso")
        if rec["kind"] == "defence_company":
            return Party(rec["name"], iso, m.start, is_company=True)
        if iso is None and not rec.get("generic"):
            return None
        name = country_name(iso) if iso else rec["name"]
        return Party(name, iso, m.start)
    return None


def _marker_role(m: Mention, sm: SentenceMentions, lang: str) -> str:
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
        if lang not in POSTPOSITIONAL:
            anchors = sm.cues if role == "buyer" else sm.cues + sm.systems + sm.categories
            late_verb = lang in _VERB_LAST and any(c.start > mod.end for c in sm.cues)
            if not late_verb and not any(c.start <= mod.start and mod.start - c.end <= 70 for c in anchors):
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


def _producer_role(m: Mention, sm: SentenceMentions) -> bool:
    """A demonym or 'X's' directly before a system or category names its producer ("Turkish drones")."""
    targets = [x.start for x in sm.systems + sm.categories if x.start >= m.end]
    if not targets:
        return False
    nxt = min(targets)
    gap = sm.norm[m.end : nxt]
    if m.entry.sub == "demonym" and len(gap) <= 25 and not any(m.end <= p.start < nxt for p in sm.parties):
        return not any(m.end <= c.start < nxt for c in sm.cues)
    return bool(_PRODUCER_LINK.match(gap))


def assign_roles(sm: SentenceMentions, lang: str) -> list[RoleParty]:
    """Return the sentence's parties (one per distinct actor) with roles.

    Args:
        sm: the sentence's mentions.
        lang: the sentence language (decides pre- or postposition markers).

    Returns:
        Parties in text order; role "" means unmarked.
    """
    out: list[RoleParty] = []
    pending_generic: list[RoleParty] = []
    quoted = [(q.start(1), q.end(1)) for q in _QUOTED.finditer(sm.norm)]
    for m in sm.parties:
        if _is_dateline(m, sm) or _inside_name(m, quoted):
            continue
        if m.entry.kind == KIND_INST and institution_records()[m.entry.data].get("generic"):
            rec = institution_records()[m.entry.data]
            pending_generic.append(RoleParty(Party(rec["name"], None, m.start), m, "", generic=True))
            continue
        p = _party(m, sm)
        if p is None:
            continue
        role = "seller" if p.is_company or _seller_side(m) else _marker_role(m, sm, lang)
        if not role and m.entry.kind == KIND_COUNTRY and _producer_role(m, sm):
            role = "producer"
        out.append(RoleParty(p, m, role))
    # A generic institution ("Verteidigungsministerium") takes the adjacent country's identity.
    for g in pending_generic:
        near = [
            rp
            for rp in out
            if not rp.party.is_company
            and (0 <= g.mention.start - rp.mention.end <= 3 or 0 <= rp.mention.start - g.mention.end <= 4)
        ]
        if near:
            near[0].role = near[0].role if near[0].role != "producer" else ""
        else:
            g.role = _marker_role(g.mention, sm, lang)
            out.append(g)
    out.sort(key=lambda rp: rp.mention.start)
    out = _abbreviated(out, sm)
    _coordinate(out, sm)
    _producers_are_sellers(out, sm)
    return out


_SELLER_SIDE = frozenset({"export_approval", "fms_agency", "export_regulator", "exporter", "state_exporter"})


def _seller_side(m: Mention) -> bool:
    """Export approvers and state exporters (State Department, DSCA, Rosoboronexport) act for the seller."""
    return m.entry.kind == KIND_INST and institution_records()[m.entry.data].get("role") in _SELLER_SIDE


def _abbreviated(parties: list[RoleParty], sm: SentenceMentions) -> list[RoleParty]:
    """'the Defence Department (DDPS)': the bracketed name says which one; keep it alone."""
    drop: set[int] = set()
    for i, (a, b) in enumerate(itertools.pairwise(parties)):
        if sm.norm[a.mention.end : b.mention.start].strip() == "(" and a.party.iso != b.party.iso:
            b.role = b.role or a.role
            drop.add(i)
    return [rp for i, rp in enumerate(parties) if i not in drop]


def _inside_name(m: Mention, quoted: list[tuple[int, int]]) -> bool:
    """A country inside a quoted name is part of the name ('“Tipu Sultan”' is a ship, not Sudan)."""
    return any(a <= m.start and m.end <= b and (m.start, m.end) != (a, b) for a, b in quoted)


def _is_dateline(m: Mention, sm: SentenceMentions) -> bool:
    """'PARIS —', 'New Delhi, March 26:', 'BERLIN (AP) —' open a story; they are not parties."""
    if m.start > 2 or m.entry.kind != KIND_INST:
        return False
    rec = institution_records()[m.entry.data]
    if rec["kind"] != "capital":
        return False
    tail = sm.raw[m.end : m.end + 24]
    return bool(
        re.match(r"^\s*(?:\([^)]*\)\s*)?[-—–:]|^,\s*\w+\s+\d{1,2}\s*[:,]|^,\s*\d{1,2}\s+\w+\s*[:,]", tail)
    )


def _coordinate(parties: list[RoleParty], sm: SentenceMentions) -> None:
    """Parties joined by 'and' or commas share the role of the first marked one."""
    for a, b in itertools.pairwise(parties):
        gap = sm.norm[a.mention.end : b.mention.start]
        if a.role and not b.role and len(gap) <= 14 and _COORD.match(gap):
            b.role = a.role


def _producers_are_sellers(parties: list[RoleParty], sm: SentenceMentions) -> None:
    """An unmarked party whose country produces a mentioned system is its seller when another party is there."""
    producers = {systems_table()[s.entry.data].producer_iso for s in sm.systems}
    isos = {rp.party.iso for rp in parties if rp.party.iso and not rp.party.is_company}
    if len(isos) < 2 or any(rp.role == "seller" for rp in parties):
        return
    for rp in parties:
        if not rp.role and rp.party.iso in producers:
            rp.role = "producer"


def buyers_and_sellers(parties: list[RoleParty], first_cue: int = 10**9) -> tuple[list[Party], list[Party]]:
    """Split role parties into buyers and sellers.

    Buyers are the explicitly marked ones, else the unmarked party nearest before the first
    stage cue (the subject), else the first unmarked one; parties coordinated with it join.
    Generic institutions ("the army") are used only when no named party is unmarked.
    """
    sellers = [rp.party for rp in parties if rp.role in ("seller", "producer")]
    buyers = [rp.party for rp in parties if rp.role == "buyer" and not rp.party.is_company]
    if not buyers:
        unmarked = [rp for rp in parties if not rp.role and not rp.party.is_company and not rp.generic]
        if not unmarked:
            unmarked = [rp for rp in parties if not rp.role and rp.generic]
        if unmarked:
            before = [rp for rp in unmarked if rp.mention.start < first_cue]
            if not before and unmarked[0].mention.start - first_cue > _MAX_AFTER:
                return [], sellers
            first = before[-1] if before else unmarked[0]
            if len(before) > 1:
                # walk back over a coordinated list ("Germany and Israel signed")
                k = len(before) - 1
                while k > 0 and before[k].mention.start - before[k - 1].mention.end < 16:
                    k -= 1
                first = before[k]
            buyers = [first.party]
            idx = parties.index(first)
            for nxt in parties[idx + 1 :]:
                if nxt.role or nxt.party.is_company:
                    break
                if nxt in unmarked and nxt.mention.start - parties[idx].mention.end < 16:
                    buyers.append(nxt.party)
                    idx = parties.index(nxt)
                else:
                    break
    seen: set[str] = set()
    uniq: list[Party] = []
    for b in buyers:
        key = b.iso or b.name
        if key not in seen:
            seen.add(key)
            uniq.append(b)
    seller_isos = {s.iso for s in sellers if s.iso}
    uniq = [b for b in uniq if not (b.iso and b.iso in seller_isos and len(uniq) > 1)]
    return uniq, sellers


def buyers_for_cue(
    parties: list[RoleParty], cue_start: int, left: int, right: int, lang: str, norm: str = ""
) -> list[Party]:
    """The buyers of one stage cue whose clause is [left, right).

    The marked buyers of its clause, else its subject: the unmarked party nearest before it
    in the clause (with the parties coordinated with it), else the first one after it in
    the clause ("вели переговоры ОАЭ"), else the sentence-level choice.
    """
    marked = [rp for rp in parties if rp.role == "buyer" and not rp.party.is_company]
    in_clause = [rp for rp in marked if left <= rp.mention.start < right]
    if in_clause:
        listed = _list_back(
            _list_on(in_clause, marked, norm), marked, norm
        )  # 'par l'Égypte, le Qatar et l'Inde'
        return _not_sellers(_uniq([rp.party for rp in listed]), parties)
    unmarked = [rp for rp in parties if not rp.role and not rp.party.is_company and not rp.generic]
    before = [rp for rp in unmarked if left <= rp.mention.start < cue_start]
    if before:
        k = len(before) - 1
        while k > 0 and before[k].mention.start - before[k - 1].mention.end < 16:
            k -= 1
        listed = _list_back(before[k:], unmarked, norm)  # 'TB2'yi Ukrayna, Polonya ve Fas satın aldı'
        return _not_sellers(_uniq([rp.party for rp in listed]), parties)
    after = [rp for rp in unmarked if cue_start <= rp.mention.start < min(right, cue_start + _LATE_REACH)]
    if after and lang in LATE_SUBJECT:
        listed = _list_on(after[:1], unmarked, norm)  # 'закупили Китай, Египет и Индонезия'
        return _uniq([rp.party for rp in listed])
    buyers, _ = buyers_and_sellers(parties, first_cue=cue_start)
    return buyers


def _coordinated(a: RoleParty, b: RoleParty, norm: str) -> bool:
    """b follows a in a list ('Egypt, Qatar and India')."""
    gap = norm[a.mention.end : b.mention.start]
    return bool(norm) and 0 <= len(gap) < 16 and bool(_COORD.match(gap))


def _list_on(start: list[RoleParty], pool: list[RoleParty], norm: str) -> list[RoleParty]:
    """start, and the parties of pool that continue its list after it, across commas."""
    listed = list(start)
    for nxt in (rp for rp in pool if rp.mention.start > listed[-1].mention.start):
        if not _coordinated(listed[-1], nxt, norm):
            break
        listed.append(nxt)
    return listed


def _list_back(start: list[RoleParty], pool: list[RoleParty], norm: str) -> list[RoleParty]:
    """start, and the parties of pool that open its list before it, across commas."""
    listed = list(start)
    for prev in reversed([rp for rp in pool if rp.mention.start < listed[0].mention.start]):
        if not _coordinated(prev, listed[0], norm):
            break
        listed.insert(0, prev)
    return listed


def _not_sellers(buyers: list[Party], parties: list[RoleParty]) -> list[Party]:
    """Of several buyers, drop those the sentence also names as sellers or producers."""
    if len(buyers) < 2:
        return buyers
    sold = {rp.party.iso for rp in parties if rp.role in ("seller", "producer") and rp.party.iso}
    kept = [b for b in buyers if b.iso not in sold]
    return kept or buyers


def _uniq(parties: list[Party]) -> list[Party]:
    seen: set[str] = set()
    out: list[Party] = []
    for p in parties:
        key = p.iso or p.name
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


@cache
def _country_nouns() -> dict[str, re.Pattern[str]]:
    """Per language, a pattern for 'countries' / 'nations' nouns (data/aggregate_words.jsonl)."""
    from services.classify.lexicon import read_jsonl
    from services.classify.normalize import fold_form

    out: dict[str, re.Pattern[str]] = {}
    for r in read_jsonl("aggregate_words.jsonl"):
        forms = sorted((fold_form(f, r["lang"]) for f in r["forms"]), key=len, reverse=True)
        if r["lang"] in ("zh", "ja"):
            out[r["lang"]] = re.compile("|".join(re.escape(f) for f in forms))
        else:
            tail = "" if r["lang"] in ("tr", "ko") else r"(?!\w)"
            out[r["lang"]] = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")" + tail)
    return out


def names_countries(sm: SentenceMentions, lang: str) -> bool:
    """True when the sentence speaks of unnamed countries ('sold to 22 countries', 'several nations')."""
    pat = _country_nouns().get(lang)
    return bool(pat is not None and pat.search(sm.norm))
