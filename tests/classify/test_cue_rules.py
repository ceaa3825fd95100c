"""Tests for the cue, segment and role rules: dependent purchase words, per-cue items and buyers, lists, donors."""

from __future__ import annotations

from typing import Any

import pytest

from services.classify import classify_article
from services.classify.assemble import sentence_stages
from services.classify.lexicon import matcher
from services.classify.mentions import find_mentions


def _events(text: str, lang: str, title: str = "") -> set[tuple[Any, ...]]:
    result = classify_article({"id": "t", "title": title, "text": text, "language": lang})
    return {(e["buyer_iso"], e["system"] or e["category"], e["stage"]) for e in result["events"]}


@pytest.mark.parametrize(
    ("lang", "text", "stages"),
    [
        ("en", "The cabinet approved the purchase of twelve transport helicopters.", ["approval"]),
        ("de", "Die Regierung genehmigte den Kauf von zwölf Hubschraubern.", ["approval"]),
        ("es", "El Congreso aprobó la compra de doce helicópteros.", ["approval"]),
        ("pt", "O governo escolheu a empresa para fornecer vinte obuses.", ["approval"]),
        ("en", "Norway signed a memorandum of understanding to buy four submarines.", ["negotiation"]),
    ],
)
def test_purchase_nouns_and_infinitives_are_objects(lang: str, text: str, stages: list[str]) -> None:
    """'approved the purchase', 'chose X to supply': the purchase word is no contract of its own."""
    assert sentence_stages(find_mentions(text, matcher(lang)), lang)[0] == stages


def test_each_cue_takes_its_own_items() -> None:
    """'considering A and continuing talks on B': A is interest, B negotiation (not both for both)."""
    got = _events(
        "Indonesia is considering ordering J-10 fighters from China and continues talks on buying F-15EX jets.",
        "en",
    )
    assert ("ID", "J-10", "interest") in got
    assert ("ID", "F-15EX Eagle II", "negotiation") in got
    assert ("ID", "J-10", "negotiation") not in got


def test_customer_list_names_each_buyer_and_unnamed_countries_none() -> None:
    """'exported to several countries, including A and B' gives A and B (R4); '15 countries' alone nothing."""
    got = _events(
        "The Akinci drone has been exported to several countries, including Qatar and Pakistan.", "en"
    )
    assert {("QA", "Akıncı", "contract"), ("PK", "Akıncı", "contract")} <= got
    assert (
        _events("Şimdiye kadar 15 ülkeye Akıncı satıldı.", "tr", title="Akıncı için yeni alıcı: Mısır")
        == set()
    )


def test_one_delivery_per_donor() -> None:
    """Aid delivered 'from Norway, Denmark and Italy' is one event per donor (R13)."""
    result = classify_article(
        {
            "id": "d",
            "title": "",
            "text": "Украина получила гаубицы M109 от Норвегии, Дании и Италии.",
            "language": "ru",
        }
    )
    sellers = {e["seller_iso"] for e in result["events"] if e["stage"] == "delivery"}
    assert sellers == {"NO", "DK", "IT"}


def test_follow_on_order_is_its_own_deal() -> None:
    """Talks for 'six more' after a signed contract keep both events (R3 follow-on)."""
    got = _events(
        "Estonia signed a contract for 12 K9 howitzers. It is now negotiating six more K9 howitzers.", "en"
    )
    assert ("EE", "K9", "contract") in got
    assert ("EE", "K9", "negotiation") in got


def test_full_cancellation_drops_the_contract() -> None:
    """A fully cancelled deal gets only the cancellation event (R3); a reduction keeps the contract."""
    got = _events("Peru cancelled the contract for eight K2 tanks that it had signed in 2023.", "en")
    assert ("PE", "K2", "cancellation") in got
    assert ("PE", "K2", "contract") not in got


def test_country_inside_a_quoted_name_is_no_party() -> None:
    """A frigate named “Tipu Sultan” does not make Sudan a buyer."""
    got = _events("两艘护卫舰“提普苏丹”号和“沙贾汗”号正式交付巴基斯坦海军。", "zh")
    assert {b for b, _, _ in got} == {"PK"}


def test_state_department_notice_marks_the_foreign_buyer() -> None:
    """'国务院批准向台湾出售': 向 before a sell verb marks the buyer; the notice is an approval (R8)."""
    assert ("TW", "F-16", "approval") in _events("美国国务院批准向台湾出售40架F-16战机。", "zh")


def test_bracketed_territory_names_do_not_shadow_countries() -> None:
    """'США' is the United States, not the US Outlying Islands whose CLDR name ends in '(США)'."""
    assert ("UA", "Patriot", "delivery") in _events("Украина получила комплексы Patriot от США.", "ru")
    result = classify_article(
        {"id": "u", "title": "", "text": "Украина получила комплексы Patriot от США.", "language": "ru"}
    )
    assert {e["seller_iso"] for e in result["events"]} == {"US"}


def test_a_later_clause_does_not_make_an_arrival_future() -> None:
    """'arrived ... and will not be the last': the arrival is a delivery (R2)."""
    got = _events("Two Black Hawk helicopters arrived in Albania and more will follow next year.", "en")
    assert ("AL", "UH-60 Black Hawk", "delivery") in got


def test_national_currency_names_the_buyer_of_a_generic_ministry() -> None:
    """No country named, but rupees and crore: the Defence Ministry is India's (R12 context)."""
    got = _events(
        "The Defence Ministry scrapped the tender for 100 light helicopters worth Rs 5,000 crore.", "en"
    )
    assert ("IN", "helicopter", "cancellation") in got


def test_threatened_cancellation_keeps_the_tender() -> None:
    """'most likely to cancel the tender' is speculation: the open tender stays negotiation (R6)."""
    got = _events(
        "Sources say Chile is most likely to cancel the tender for 12 light utility helicopters.", "en"
    )
    assert got == {("CL", "helicopter", "negotiation")}


def test_aggregate_orders_name_no_deal() -> None:
    """'numerous large orders ... in air defence' is an aggregate (R11)."""
    text = "Zahlreiche Großaufträge seien unter Vertrag genommen worden, vor allem bei der Flugabwehr."
    assert _events(text, "de") == set()
