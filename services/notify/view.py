"""Frozen, display-ready views of an alert that the channel renderers turn into messages."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AlertView", "SourceView"]


@dataclass(frozen=True, slots=True)
class SourceView:
    """One outlet's report of a deal, as listed under an alert's sources.

    Args:
        outlet: The outlet's display name ("Reuters").
        language: ISO 639-1 code of the article ("en"), if known.
        url: Link to the article; only http(s) links are rendered as links.
        title: The article headline, if known.
    """

    outlet: str
    language: str | None
    url: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class AlertView:
    """Everything a channel needs to render one alert, already resolved to display strings.

    All text fields are untrusted (they come from scraped articles) and are escaped by each
    renderer for its channel.

    Args:
        alert_id: The alert's id, for the footer and support requests.
        watchlist_name: The watchlist that matched.
        deal_key: The deal the alert is about.
        buyer: Buyer country display name ("Kazakhstan").
        buyer_iso: Buyer ISO 3166 alpha-2 code, if known.
        seller: Seller country display name, if known.
        seller_iso: Seller ISO code, if known.
        system: Weapon system ("Bayraktar TB2"), if named.
        category: Equipment category ("uav").
        quantity: Units reported, if any.
        quantity_approx: True when the report gives an approximate quantity.
        value: Contract value, already formatted ("US$ 1.2 bn"), if reported.
        stage: The lifecycle stage the deal just reached.
        previous_stage: The furthest stage before this one, or None for a first report.
        evidence: The sentence that supports the stage.
        sources: Every outlet reporting the deal, first report first.
        first_seen: ISO 8601 time the deal was first seen, if known.
        test: True for the sample alert of `watch test` (its subject says so).
    """

    alert_id: str
    watchlist_name: str
    deal_key: str
    buyer: str
    buyer_iso: str | None
    seller: str | None
    seller_iso: str | None
    system: str | None
    category: str
    quantity: int | None
    quantity_approx: bool
    value: str | None
    stage: str
    previous_stage: str | None
    evidence: str
    sources: tuple[SourceView, ...]
    first_seen: str | None
    test: bool = False
