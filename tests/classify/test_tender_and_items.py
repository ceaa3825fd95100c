"""Tests for tender bidders (R9), fit-out, counted list items, future years, carriers and subheads."""

from __future__ import annotations

from typing import Any

import pytest

from services.classify import classify_article
from services.classify.modality import clause_bounds


def _events(text: str, lang: str, title: str = "", date: str | None = None) -> list[dict[str, Any]]:
    article = {"id": "t", "title": title, "text": text, "language": lang}
    if date:
        article["date"] = date
    return list(classify_article(article)["events"])


def _keys(events: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(e["buyer_iso"], e["seller_iso"], e["system"] or e["category"], e["stage"]) for e in events}


@pytest.mark.parametrize(
    ("lang", "title", "text"),
    [
        (
            "en",
            "Chile looks for new frigates",
            "Chile wants two frigates for its navy. Spain and Italy took part in the tender, as did Turkey.",
        ),
        (
            "de",
            "Chile sucht neue Fregatten",
            "Chile will zwei Fregatten kaufen. Spanien und Italien nahmen an der Ausschreibung teil.",
        ),
        (
            "es",
            "Chile busca nuevas fragatas",
            "Chile quiere comprar dos fragatas. España e Italia participaron en la licitación.",
        ),
    ],
)
def test_each_bidder_gets_a_negotiation_event(lang: str, title: str, text: str) -> None:
    """R9: the countries taking part in a tender are sellers, each with its own event for the buyer."""
    got = _keys(_events(text, lang, title))
    assert ("CL", "ES", "naval_vessel", "negotiation") in got
    assert ("CL", "IT", "naval_vessel", "negotiation") in got
    assert not any(k[0] in ("ES", "IT", "TR") for k in got)


def test_bidders_drop_once_the_buyer_has_decided() -> None:
    """R9: once the winner's contract is signed, the losing bidders get no event."""
    text = (
        "Peru signed a contract for eight transport helicopters from Russia. "
        "France and Italy had also taken part in the tender, and Italy took part in the tender with its own type."
    )
    got = _keys(_events(text, "en", "Peru orders helicopters"))
    assert ("PE", "RU", "helicopter", "contract") in got
    assert not any(k[3] == "negotiation" for k in got)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Egypt ordered four corvettes equipped with radars and missiles."),
        ("fr", "L'Égypte a commandé quatre corvettes équipées de radars."),
    ],
)
def test_fit_out_is_no_order_of_its_own(lang: str, text: str) -> None:
    """Weapons and sensors a ship is 'equipped with' describe the ship, not separate orders."""
    got = _keys(_events(text, lang))
    assert {k[2] for k in got} == {"naval_vessel"}


def test_a_counted_second_item_keeps_its_own_event() -> None:
    """'three FDI frigates and three corvettes': the corvettes are a deal of their own (R16)."""
    got = _events("Greece placed an order for three FDI frigates and three corvettes from France.", "en")
    named = {(e["system"], e["category"], e["quantity"]) for e in got}
    assert ("FDI frigate", "naval_vessel", 3) in named
    assert (None, "naval_vessel", 3) in named


def test_an_anticipated_order_with_would_is_negotiation() -> None:
    """An order noun whose verb is conditional ('this order ... would cover') is not yet a contract."""
    text = "This order, expected to be announced on Monday, would cover six patrol vessels for Ghana."
    got = _keys(_events(text, "en", "Ghana close to patrol vessel order"))
    assert ("GH", None, "naval_vessel", "negotiation") in got


def test_deliveries_dated_after_publication_are_future() -> None:
    """R1: a delivery sentence whose years all lie after the article's date is a plan, not a delivery."""
    text = (
        "Under the deal, Norway gets the first two submarines in 2029 – with the boats delivered from Kiel."
    )
    got = _keys(_events(text, "en", date="2024-05-01"))
    assert not any(k[3] == "delivery" for k in got)


def test_a_forces_own_aircraft_landing_is_no_delivery() -> None:
    """The transport that carries the cargo is not itself delivered."""
    text = "Kenya received the howitzers after a Royal Air Force A400M landed in Nairobi."
    got = _keys(_events(text, "en"))
    assert not any(k[2] == "A400M" for k in got)


def test_a_subhead_naming_the_purchase_does_not_make_a_contract() -> None:
    """A short subhead 'The purchase of X' names the deal; the stage stated in the text wins."""
    text = "The government selected the K9 howitzer for Estonia.\nThe purchase of the K9 howitzers"
    got = _keys(_events(text, "en"))
    assert ("EE", "KR", "K9", "approval") in got
    assert not any(k[3] == "contract" for k in got)


def test_a_second_system_is_a_deal_apart() -> None:
    """'consider a second air-defence system' is interest beside the contract already named."""
    text = (
        "Austria ordered Patriot batteries from the United States in 2020. "
        "Austria will consider buying a second air defence system."
    )
    got = _keys(_events(text, "en"))
    assert ("AT", "US", "Patriot", "contract") in got
    assert any(k[0] == "AT" and k[2] == "air_defence" and k[3] == "interest" for k in got)


def test_an_order_given_to_a_ministry_is_no_purchase() -> None:
    """'ordered the ministry to examine' is a command."""
    text = "The cabinet ordered the Ministry of Defence to examine new radars for Sweden."
    assert not any(e["stage"] == "contract" for e in _events(text, "en"))


def test_a_thousands_comma_does_not_end_a_clause() -> None:
    """'Rs 54,000 crore' keeps its clause whole."""
    norm = "approved proposals worth rs 54,000 crore that include ten radars"
    assert clause_bounds(norm, 0, 8) == (0, len(norm))


def test_military_vehicles_are_an_item_not_a_force() -> None:
    """R20: 'military vehicles' is the category other, not the armed forces as a party."""
    got = _keys(_events("Georgia bought military vehicles from Turkey.", "en"))
    assert ("GE", "TR", "other", "contract") in got
