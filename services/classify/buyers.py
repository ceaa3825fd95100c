"""Choose the buyers of a stage cue among a sentence's parties: marked ones, its subject, or a list of them."""

from __future__ import annotations

import re
from functools import cache

from services.classify.mentions import SentenceMentions
from services.classify.roles import COORD, RoleParty
from services.classify.types import Item, Party

_MAX_AFTER = 40
_LATE_REACH = 60  # a subject after its verb stands close to it ('negoció Chile')
# Languages where the subject often follows the verb ("переговоры вели ОАЭ", "negoció Chile").
LATE_SUBJECT = frozenset({"ru", "uk", "pl", "el", "ro", "sq", "ar", "he", "es", "it", "pt"})


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
    uniq = _uniq(buyers)
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


def distributed(
    buyers: list[Party], segment: list[Item], items: list[Item], cue_end: int, stop: int
) -> dict[int, list[Party]]:
    """Each item's own buyer in a distributive list: 'training for the Netherlands, kits for Finland'.

    Holds when several buyers follow the cue and each follows items of its own, up to the next cue
    (such a list may run past the cue's clause); each item (by id) goes to the first buyer after it.
    Otherwise (one buyer, or buyers named together) the answer is empty: every item to every buyer.
    """
    after = sorted((b for b in buyers if b.start > cue_end), key=lambda b: b.start)
    if len(after) < 2 or len(after) != len(buyers):
        return {}
    reach = min(after[-1].start, stop)
    pool = segment + [i for i in items if cue_end <= i[0].start < reach and i not in segment]
    share: dict[int, list[Party]] = {}
    lo = cue_end
    for b in after:
        own = [i for i in pool if lo <= i[0].start < b.start]
        if not own:
            return {}
        for i in own:
            share[id(i)] = [b]
        lo = b.start
    return share


def _coordinated(a: RoleParty, b: RoleParty, norm: str) -> bool:
    """b follows a in a list ('Egypt, Qatar and India')."""
    gap = norm[a.mention.end : b.mention.start]
    return bool(norm) and 0 <= len(gap) < 16 and bool(COORD.match(gap))


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
