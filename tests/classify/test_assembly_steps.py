"""Unit tests for roles, quantities, modality, negative filters, stage resolution, dedup and confidence."""

from __future__ import annotations

from services.classify.assemble import sentence_stages
from services.classify.buyers import buyers_and_sellers
from services.classify.confidence import confidence
from services.classify.dedup import dedupe
from services.classify.lexicon import matcher, systems_table
from services.classify.mentions import find_mentions
from services.classify.quantity import quantity_for, value_in
from services.classify.roles import assign_roles
from services.classify.stages import resolve_stages
from services.classify.types import Candidate, Party, Stage


def _roles(sentence: str, lang: str) -> tuple[set[str | None], set[str | None]]:
    sm = find_mentions(sentence, matcher(lang))
    buyers, sellers = buyers_and_sellers(
        assign_roles(sm, lang), first_cue=sm.cues[0].start if sm.cues else 10**9
    )
    return {b.iso for b in buyers}, {s.iso for s in sellers}


def test_roles_from_markers_and_producers() -> None:
    """'from X' marks the seller, 'to X' after a sale marks the buyer, a producer country sells."""
    assert _roles("Egypt ordered twelve howitzers from South Korea.", "en") == ({"EG"}, {"KR"})
    assert _roles("India delivered BrahMos missiles to the Philippines.", "en") == ({"PH"}, {"IN"})
    assert _roles("Die Slowakei kauft Panzer aus Schweden.", "de") == ({"SK"}, {"SE"})
    assert _roles("Украина получила танки от Германии и Польши.", "ru") == ({"UA"}, {"DE", "PL"})


def test_dateline_is_not_a_party() -> None:
    """'PARIS —' opens the story; the buyer is the subject after it."""
    assert _roles("PARIS — Belgium ordered new frigates.", "en")[0] == {"BE"}


def _stages(sentence: str, lang: str) -> list[Stage]:
    return sentence_stages(find_mentions(sentence, matcher(lang)), lang)[0]


def test_modality_future_negation_and_governed_cues() -> None:
    """Future deliveries vanish, future purchases are interest, negated steps vanish (R1, R10)."""
    assert _stages("The frigates will be delivered in 2030.", "en") == []
    assert _stages("Chile will buy six helicopters.", "en") == ["interest"]
    assert _stages("Peru did not sign the contract.", "en") == []
    assert _stages("Norway is considering purchasing tanks.", "en") == ["interest"]
    assert _stages("Die Regierung hat die Beschaffung gestoppt und den Kauf storniert.", "de") == [
        "cancellation"
    ]


def test_mou_is_negotiation() -> None:
    """A signed memorandum or letter of intent is negotiation, not a contract (R7)."""
    assert _stages("Latvia signed a letter of intent on buying howitzers.", "en") == ["negotiation"]


def test_negative_contexts_block_cues() -> None:
    """Combat, crashes and exercises near a cue rule it out."""
    assert _stages("The drones delivered strikes on the front line during the exercise.", "en") == []


def test_quantities_counters_and_vague_words() -> None:
    """Numbers before the item count; money and years do not; counters follow in CJK (R17)."""
    for sentence, lang, expected in (
        ("Poland ordered 48 K9 howitzers worth $2 billion in 2022.", "en", (48, False)),
        ("Japan bought about 20 F-35A jets.", "en", (20, True)),
        ("Kenya wants dozens of Bayraktar TB2 drones.", "en", (None, False)),
        ("日本はF-35Aを12機購入した。", "ja", (12, False)),
    ):
        sm = find_mentions(sentence, matcher(lang))
        item = sm.systems[0]
        assert quantity_for(item, sm, lang, sm.systems) == expected, sentence
    assert value_in("a deal worth $8 billion for jets") == "USD 8 billion"


def _cand(stage: Stage, system: str = "K9", qty: int | None = None, carried: bool = False) -> Candidate:
    info = next(s for s in systems_table() if s.name == system)
    return Candidate(
        buyer=Party("Poland", "PL"),
        seller=Party("South Korea", "KR"),
        system=info,
        category=info.category,
        stage=stage,
        quantity=qty,
        quantity_approx=False,
        value=None,
        evidence="x",
        sentence_index=0,
        carried_buyer=carried,
    )


def test_stage_resolution_follows_r3() -> None:
    """A contract hides talks and interest; without one only the furthest pre-contract stage stays."""
    got = resolve_stages([_cand("interest"), _cand("negotiation"), _cand("contract"), _cand("delivery")])
    assert sorted(c.stage for c in got) == ["contract", "delivery"]
    got = resolve_stages([_cand("interest"), _cand("approval")])
    assert [c.stage for c in got] == ["approval"]


def test_dedupe_merges_reports_of_one_deal() -> None:
    """Two mentions of one deal and stage merge; the quantity is kept (R16)."""
    got = dedupe([_cand("contract"), _cand("contract", qty=48)])
    assert len(got) == 1 and got[0].quantity == 48


def test_confidence_is_lower_for_carried_buyers() -> None:
    """A buyer carried over from the article topic is less certain than a named one."""
    assert 0 < confidence(_cand("contract", carried=True)) < confidence(_cand("contract")) <= 1
