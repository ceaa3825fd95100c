"""Sentences written for the tests, one per general rule added for news the rules had never seen.

Each case states a fact in the project's own words and names the events it must yield
(buyer ISO, seller ISO, system, stage); the rule it exercises is in its id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classify import classify_article

Event = tuple[str | None, str | None, str | None, str]

CASES: list[tuple[str, str, str, set[Event]]] = [
    # A dative preposition points the way its verb does: from after a purchase, to after a sale.
    (
        "dative-es-buy",
        "es",
        "Turquía compró 40 cazas F-16 a Estados Unidos.",
        {("TR", "US", "F-16", "contract")},
    ),
    (
        "dative-es-sell",
        "es",
        "Estados Unidos aprobó la venta de 40 cazas F-16 a Turquía.",
        {("TR", "US", "F-16", "approval")},
    ),
    (
        "dative-fr-buy",
        "fr",
        "La Turquie a acheté 40 F-16 aux États-Unis.",
        {("TR", "US", "F-16", "contract")},
    ),
    (
        "dative-fr-order",
        "fr",
        "La Grèce a commandé trois frégates FDI à la France.",
        {("GR", "FR", "FDI frigate", "contract")},
    ),
    (
        "dative-pt-buy",
        "pt",
        "A Turquia comprou 40 caças F-16 aos Estados Unidos.",
        {("TR", "US", "F-16", "contract")},
    ),
    # Roles written on the name: a Hebrew proclitic, a Turkish case ending.
    ("proclitic-he-from", "he", "ישראל רכשה מאיטליה 7 מסוקי AW119.", {("IL", "IT", None, "contract")}),
    (
        "suffix-tr-from",
        "tr",
        "Macaristan, Türkiye'den 40 adet daha zırhlı araç için sipariş verdi.",
        {("HU", "TR", None, "contract")},
    ),
    # The counterparty of talks or a deal is the seller.
    (
        "with-en",
        "en",
        "Argentina is in talks with Denmark to buy 24 F-16 fighters.",
        {("AR", "DK", "F-16", "negotiation")},
    ),
    (
        "with-de",
        "de",
        "Estland hat im Rahmen eines Geschäfts mit den Niederlanden zwölf CV9035NL erhalten.",
        {("EE", "NL", "CV90", "delivery")},
    ),
    # Bare purchase nouns and 'introduce' verbs of East Asian languages.
    ("noun-ja", "ja", "防衛省はF-35Aを42機導入した。", {("JP", "US", "F-35A", "contract")}),
    (
        "plan-ko",
        "ko",
        "말레이시아는 FA-50 18대를 추가로 도입할 계획이다.",
        {("MY", "KR", "FA-50", "interest")},
    ),
    # A participle states the purchase behind a delivery (R4): both events.
    (
        "participle-ru",
        "ru",
        "Индия получила первые С-400, закупленные у России.",
        {("IN", "RU", "S-400", "contract"), ("IN", "RU", "S-400", "delivery")},
    ),
    (
        "participle-pl",
        "pl",
        "Polska otrzymała pierwsze czołgi K2 zamówione w Korei Południowej.",
        {("PL", "KR", "K2", "contract"), ("PL", "KR", "K2", "delivery")},
    ),
    (
        "participle-it",
        "it",
        "L'Ungheria ha ricevuto i primi Leopard 2A7 ordinati alla Germania.",
        {("HU", "DE", "Leopard 2A7", "contract"), ("HU", "DE", "Leopard 2A7", "delivery")},
    ),
    (
        "relative-tr",
        "tr",
        "Katar, sipariş ettiği Bayraktar TB2'leri teslim aldı.",
        {("QA", "TR", "Bayraktar TB2", "contract"), ("QA", "TR", "Bayraktar TB2", "delivery")},
    ),
    # 'không' (not) inside 'Không quân' (air force) negates nothing.
    (
        "name-vi",
        "vi",
        "Không quân Ấn Độ đã nhận chiếc Rafale đầu tiên.",
        {("IN", "FR", "Rafale", "delivery")},
    ),
    ("future-it", "it", "L'Italia acquisterà 131 caccia F-35.", {("IT", "US", "F-35", "interest")}),
]


@pytest.mark.parametrize(("case", "lang", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_general_rule(case: str, lang: str, text: str, expected: set[Event]) -> None:
    """The sentence yields exactly the expected (buyer, seller, system, stage) events."""
    result = classify_article({"id": case, "title": "", "text": text, "language": lang})
    got = {(e["buyer_iso"], e["seller_iso"], e["system"], e["stage"]) for e in result["events"]}
    assert got == expected, result["events"]


def test_a_customer_list_names_each_buyer_even_when_a_name_starts_like_a_particle() -> None:
    """'에스토니아' begins with the particle '에': every listed country is a buyer (R4), none marked by it."""
    text = "현재까지 K9을 도입한 나라는 인도, 호주, 폴란드, 이집트, 에스토니아, 노르웨이 등이다."
    result = classify_article({"id": "ko-list", "title": "", "text": text, "language": "ko"})
    assert {e["buyer_iso"] for e in result["events"]} == {"IN", "AU", "PL", "EG", "EE", "NO"}
    assert {(e["system"], e["stage"]) for e in result["events"]} == {("K9", "contract")}


def test_generic_aircraft_nouns_refer_to_the_article_system() -> None:
    """'i velivoli' in a later sentence is the F-35 the article is about."""
    article = {
        "id": "it-anaphora",
        "title": "L'Italia e gli F-35",
        "language": "it",
        "text": (
            "Il programma F-35 è al centro del dibattito in Italia. "
            "Gli F-35 sono assemblati a Cameri. "
            "Nel 2012 il governo ha ridotto l'ordine dei velivoli da 131 a 90."
        ),
    }
    events = classify_article(article)["events"]
    assert ("IT", "F-35", "cancellation") in {(e["buyer_iso"], e["system"], e["stage"]) for e in events}


def test_a_coded_engine_designation_is_not_the_shorter_ship_name() -> None:
    """'F110-GE-129D engines' name no F-110 frigate."""
    text = "Turkey requested 48 F110-GE-129D engines for its fighter fleet."
    events = classify_article({"id": "engine", "title": "", "text": text, "language": "en"})["events"]
    assert all(e["system"] != "F-110 frigate" for e in events), events


PROBES = Path(__file__).with_name("probe_sentences.tsv")


def _probes() -> list[tuple[str, str, set[Event]]]:
    out: list[tuple[str, str, set[Event]]] = []
    for line in PROBES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, text, want = line.split("\t")
        events: set[Event] = set()
        if want != "-":
            for item in want.split(";"):
                buyer, seller, system, stage = item.split("|")
                events.add((buyer or None, seller or None, system or None, stage))
        out.append((lang, text, events))
    return out


@pytest.mark.parametrize(
    ("lang", "text", "expected"), _probes(), ids=lambda v: v[:40] if isinstance(v, str) else ""
)
def test_probe_sentence(lang: str, text: str, expected: set[Event]) -> None:
    """Each probe sentence (stages, buyer and seller markers, lists, modality in 22 languages) yields its events."""
    result = classify_article({"id": "probe", "title": "", "text": text, "language": lang})
    got = {(e["buyer_iso"], e["seller_iso"], e["system"], e["stage"]) for e in result["events"]}
    assert got == expected, result["events"]


def test_a_drive_configuration_is_no_count() -> None:
    """'120 8x8 Rosomak', '4x4 zırhlı araç': the count is the number before, never the wheels."""
    cases = [
        ("en", "Poland ordered 120 8x8 Rosomak armoured vehicles.", 120),
        ("tr", "Macaristan, Türkiye'den 40 adet 4x4 zırhlı araç için sipariş verdi.", 40),
        ("en", "Poland ordered 8 Rosomak armoured vehicles.", 8),
    ]
    for lang, text, quantity in cases:
        events = classify_article({"id": "q", "title": "", "text": text, "language": lang})["events"]
        assert [e["quantity"] for e in events] == [quantity], (text, events)


def test_each_item_takes_the_company_named_for_it() -> None:
    """'X from A and Y from B': two companies of one country are two sellers, each item takes its own."""
    text = "Poland signed contracts for 180 K2 tanks from Hyundai Rotem and 212 K9 howitzers from Hanwha."
    events = classify_article({"id": "s", "title": "", "text": text, "language": "en"})["events"]
    assert {(e["system"], e["seller"], e["seller_iso"]) for e in events} == {
        ("K2", "Hyundai Rotem", "KR"),
        ("K9", "Hanwha Aerospace", "KR"),
    }


def test_each_item_of_a_distributive_list_takes_its_own_buyer() -> None:
    """'A for X (…), B for Y and C for Z': one buyer per item, never every buyer for every item."""
    text = (
        "The State Department cleared three more sales: Apache helicopter training for Norway "
        "(an estimated $200 million), M1156 Precision Guidance Kits and related support for Estonia "
        "(an estimated $40 million) and Javelin missiles with spare parts for Latvia."
    )
    events = classify_article({"id": "d", "title": "", "text": text, "language": "en"})["events"]
    got = {(e["buyer_iso"], e["system"], e["stage"]) for e in events}
    assert got == {
        ("NO", "AH-64 Apache", "approval"),
        ("EE", "Precision Guidance Kit", "approval"),
        ("LV", "Javelin", "approval"),
    }, events


def test_guidance_of_a_weapon_is_no_earnings_report() -> None:
    """'guidance kits' name an item; 'full-year guidance' is a company result (R11)."""
    kit = "Finland was approved to buy 300 M1156 Precision Guidance Kits from the United States."
    events = classify_article({"id": "g1", "title": "", "text": kit, "language": "en"})["events"]
    assert {(e["buyer_iso"], e["stage"]) for e in events} == {("FI", "approval")}, events
    results = "Rheinmetall raised its full-year guidance after orders for 50 Lynx vehicles from Hungary."
    assert classify_article({"id": "g2", "title": "", "text": results, "language": "en"})["events"] == []
