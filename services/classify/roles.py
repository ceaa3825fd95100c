"""Give each party of a sentence its role (buyer, seller, producer or none) from markers, producers and lists."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from services.classify.lexicon import systems_table
from services.classify.markers import marker_role
from services.classify.mentions import SentenceMentions
from services.classify.types import KIND_COUNTRY, KIND_INST, Mention, Party
from services.reference import institution_rows

_QUOTED = re.compile(
    r"[“«„\"「『‹]([^“”«»„\"「」『』‹›]{1,30})[”»“\"」』›]"
)  # a buyer named long after the first cue is rarely its subject
_EN_NAMES = {
    "TR": "Turkey",
    "US": "United States",
    "GB": "United Kingdom",
    "KR": "South Korea",
    "KP": "North Korea",
}
COORD = re.compile(
    r"^[\s,、，;]*(?:and|und|и|і|й|та|et|y|e|i|ve|ile|și|si|dhe|و|和|及|与|與|と|과|와|및|dan|và|και|ו|और|va|or|oraz"
    r"|a|as well as|sowie)?[\s,、，]*(?:the|la|le|les|l'|der|die|das|den|el|los|il|lo|gli|o|os|a|as)?\s*$"
)
_PRODUCER_LINK = re.compile(r"^(?:の|의|的|制|製|产|產|造|-made| made|-built|-produced)\s*$")


@cache
def country_name(iso: str) -> str:
    """Return the English short name of a country code ("TR" -> "Turkey")."""
    if iso in _EN_NAMES:
        return _EN_NAMES[iso]
    name = Locale("en").territories.get(iso, iso)
    return str(name).split(" (")[0]


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
        rec = institution_rows()[m.entry.data]
        iso = rec.get("iso")
        if rec["kind"] == "defence_company":
            return Party(rec["name"], iso, m.start, is_company=True)
        if iso is None and not rec.get("generic"):
            return None
        name = country_name(iso) if iso else rec["name"]
        return Party(name, iso, m.start)
    return None


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
        if m.entry.kind == KIND_INST and institution_rows()[m.entry.data].get("generic"):
            rec = institution_rows()[m.entry.data]
            pending_generic.append(RoleParty(Party(rec["name"], None, m.start), m, "", generic=True))
            continue
        p = _party(m, sm)
        if p is None:
            continue
        role = "seller" if p.is_company or _seller_side(m) else marker_role(m, sm, lang)
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
            g.role = marker_role(g.mention, sm, lang)
            out.append(g)
    out.sort(key=lambda rp: rp.mention.start)
    out = _abbreviated(out, sm)
    _coordinate(out, sm)
    _producers_are_sellers(out, sm)
    return out


_SELLER_SIDE = frozenset({"export_approval", "fms_agency", "export_regulator", "exporter", "state_exporter"})


def _seller_side(m: Mention) -> bool:
    """Export approvers and state exporters (State Department, DSCA, Rosoboronexport) act for the seller."""
    return m.entry.kind == KIND_INST and institution_rows()[m.entry.data].get("role") in _SELLER_SIDE


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
    rec = institution_rows()[m.entry.data]
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
        if a.role and not b.role and len(gap) <= 14 and COORD.match(gap):
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
