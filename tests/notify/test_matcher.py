"""Watchlist filters: several values each, countries by code or name in many languages, alias-aware systems, stages."""

from __future__ import annotations

import pytest

from services.errors import UsageError
from services.notify.gazetteer import country_code, expand_system, system_matches
from services.notify.matcher import matches, stage_matches
from services.notify.watchlists import build_watchlist

from .conftest import make_event


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("KZ", "KZ"),
        ("kz", "KZ"),
        ("Kazakhstan", "KZ"),
        ("Kasachstan", "KZ"),
        ("Казахстан", "KZ"),
        ("Kazajistán", "KZ"),
        ("turquía", "TR"),
        ("Türkei", "TR"),
        ("Türkiye", "TR"),
        ("Турция", "TR"),
        ("トルコ", "TR"),
        ("États-Unis", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("الإمارات", "AE"),
    ],
)
def test_country_by_code_or_name_in_any_language(given: str, code: str) -> None:
    """ISO codes and country names in the classifier's languages (case and accents ignored) resolve to one code."""
    assert country_code(given) == code


def test_unknown_country_is_a_usage_error_naming_it() -> None:
    """A name no gazetteer knows is refused at `watch add` time, naming the value."""
    assert country_code("Atlantis") is None
    with pytest.raises(UsageError, match="Atlantis"):
        build_watchlist(name="x", owner="a", buyers=["Atlantis"])


@pytest.mark.parametrize(
    ("wanted", "system", "expected"),
    [
        ("TB2", "Bayraktar TB2", True),
        ("tb-2", "Bayraktar TB2", True),
        ("Bayraktar TB2", "Bayraktar TB2", True),
        ("Bayraktar", "Akıncı", True),
        ("F-35", "F-35A", True),
        ("F-35", "F-35B", True),
        ("F-35", "F-35I Adir", True),
        ("F-35", "F-35", True),
        ("JSF", "F-35C", True),
        ("F-35A", "F-35B", False),
        ("F-35A", "F-35", False),
        ("TB2", "Akıncı", False),
        ("F-16", "F-35A", False),
        ("Leopard 2", "Leopard 2A7", True),
        ("Unknown-7", "Unknown-7B", True),
        ("Unknown-7", "Unknown-77", False),
    ],
)
def test_systems_are_alias_and_family_aware(wanted: str, system: str, expected: bool) -> None:
    """An alias names its system; a family (or its generic entry, "F-35") names every variant."""
    assert system_matches([wanted], system) is expected


def test_f35_expands_to_every_variant() -> None:
    """The systems gazetteer's F-35 family is what "F-35" stands for."""
    assert {"F-35", "F-35A", "F-35B", "F-35C", "F-35I Adir"} <= expand_system("F-35")
    assert expand_system("TB2") == {"Bayraktar TB2"}


def _deal(event: dict[str, object]) -> dict[str, object]:
    return {k: event[k] for k in ("buyer_iso", "seller_iso", "category", "system", "quantity")}


def test_several_values_per_filter_any_matches() -> None:
    """Each filter passes when any of its values matches; all filters must pass."""
    wl = build_watchlist(
        name="central asia",
        owner="a",
        buyers=["Kazakhstan", "UZ,KG"],
        systems=["TB2", "Akinci"],
        categories=["uav", "helicopter"],
        keywords=["drone", "Bayraktar"],
    )
    assert wl["buyers"] == ["KG", "KZ", "UZ"]
    kz = make_event(evidence="Kazakhstan will buy Bayraktar TB2")
    assert matches(wl, _deal(kz), kz)
    uz = make_event(buyer=("Uzbekistan", "UZ"), system="Akıncı", evidence="Uzbekistan wants drones")
    assert matches(wl, _deal(uz), uz)
    rs = make_event(buyer=("Serbia", "RS"))
    assert not matches(wl, _deal(rs), rs), "buyer not listed"
    no_word = make_event(evidence="Kazakhstan will buy TB2", title="Deal")
    assert not matches(wl, _deal(no_word), no_word), "no keyword in evidence or title"


@pytest.mark.parametrize(
    ("wanted", "stage", "expected"),
    [
        ("contract", "interest", False),
        ("contract", "approval", False),
        ("contract", "contract", True),
        ("contract", "delivery", True),
        ("contract", "cancellation", False),
        ("cancellation", "cancellation", True),
        ("cancellation", "delivery", False),
        (None, "cancellation", True),
        (None, "interest", True),
    ],
)
def test_stage_means_that_stage_or_later(wanted: str | None, stage: str, expected: bool) -> None:
    """`--stage contract` is contract or delivery; cancellation only when named (or no stage filter)."""
    assert stage_matches(wanted, stage) is expected


def test_min_quantity_needs_a_reported_quantity() -> None:
    """`--min-quantity 10` passes 12 units, not 5 nor an unreported quantity."""
    wl = build_watchlist(name="big", owner="a", min_quantity=10)
    for quantity, expected in ((12, True), (5, False), (None, False)):
        event = make_event(quantity=quantity)
        assert matches(wl, _deal(event), event) is expected


def test_watchlists_see_the_project_corrections_of_the_gazetteer() -> None:
    """An alias or a system the project adds (systems_local.jsonl) counts for watchlists as for the classifier."""
    from services.classify.lexicon import systems_table
    from services.notify.gazetteer import canonical_system, system_matches

    assert canonical_system("F/A-18") == "F/A-18 Hornet"  # an alias added by the project
    assert system_matches(["F/A-18"], "F/A-18 Hornet")
    assert canonical_system("H175M") == "H175"  # a system the reference lacks
    assert {s.name for s in systems_table()} >= {"H175", "F/A-18 Hornet"}


def test_watchlists_know_the_project_country_forms() -> None:
    """A country form the project adds (countries_local.jsonl) names the country in a watchlist too."""
    assert country_code("Maqedonia") == "MK"
