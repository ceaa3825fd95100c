"""Channel-neutral wording of an alert: subject line, labelled rows and source entries as plain text.

Every renderer builds on these helpers and only escapes and lays out their output, so the
wording ("stage: contract (was: negotiation)", "quantity: about 24") changes here once for all
channels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..view import AlertView, SourceView

__all__ = [
    "MAX_EVIDENCE",
    "MAX_TITLE",
    "Rendered",
    "Row",
    "clean",
    "footer",
    "headline",
    "rows",
    "safe_url",
    "source_label",
    "sources_heading",
    "subject",
]

#: Longest evidence sentence shown; longer ones are cut with an ellipsis.
MAX_EVIDENCE = 600
#: Longest article headline shown in a source entry.
MAX_TITLE = 160

_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One alert rendered for one kind of channel.

    Args:
        title: The plain-text subject line (never escaped; apprise escapes it per service).
        body: The message body in ``body_format``.
        body_format: "html" (email, Telegram), "mrkdwn" (Slack) or "text".
        text: A plain-text alternative of the body (email); None when the body is the text.
    """

    title: str
    body: str
    body_format: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled line of an alert ("quantity", "about 24"), both plain text."""

    label: str
    value: str


def clean(text: str, limit: int | None = None) -> str:
    """Return untrusted text on one line: control characters dropped, whitespace collapsed, cut to limit.

    Args:
        text: Text from an article or a user.
        limit: Maximum length; longer text ends with "…".

    Returns:
        The cleaned text.
    """
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    out = _WS.sub(" ", kept).strip()
    if limit is not None and len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


def safe_url(url: str | None) -> str | None:
    """Return the URL if it is an absolute http(s) link without spaces or control characters, else None."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _country(name: str | None, iso: str | None) -> str | None:
    if not name:
        return clean(iso) if iso else None
    name = clean(name)
    return f"{name} ({clean(iso).upper()})" if iso and clean(iso).upper() != name.upper() else name


def _stage(stage: str) -> str:
    return clean(stage.replace("_", " "))


def _what(view: AlertView) -> str:
    return clean(view.system) if view.system else clean(view.category)


def headline(view: AlertView) -> str:
    """Return "Kazakhstan ← Turkey: Bayraktar TB2 — interest → negotiation" (no product prefix)."""
    parties = clean(view.buyer)
    if view.seller:
        parties += f" ← {clean(view.seller)}"
    change = _stage(view.stage)
    if view.previous_stage:
        change = f"{_stage(view.previous_stage)} → {change}"
    return f"{parties}: {_what(view)} — {change}"


def subject(view: AlertView) -> str:
    """Return the subject line: "[armswatch] Kazakhstan ← Turkey: Bayraktar TB2 — interest → negotiation".

    A test alert says so first: "[armswatch] TEST — ...".
    """
    return f"[armswatch] {'TEST — ' if view.test else ''}{headline(view)}"


def _quantity(view: AlertView) -> str:
    if view.quantity is None:
        return "not reported"
    return f"about {view.quantity}" if view.quantity_approx else str(view.quantity)


def _stage_line(view: AlertView) -> str:
    if view.previous_stage:
        return f"{_stage(view.stage)} (was: {_stage(view.previous_stage)})"
    return f"{_stage(view.stage)} (first report)"


def rows(view: AlertView) -> list[Row]:
    """Return the labelled facts of an alert in display order, as plain text.

    Buyer, seller, system, category, quantity, value (when reported) and stage with the
    previous stage; evidence and sources are laid out by each renderer.
    """
    out = [
        Row("buyer", _country(view.buyer, view.buyer_iso) or "unknown"),
        Row("seller", _country(view.seller, view.seller_iso) or "not reported"),
        Row("system", clean(view.system) if view.system else "not named"),
        Row("category", clean(view.category)),
        Row("quantity", _quantity(view)),
    ]
    if view.value:
        out.append(Row("value", clean(view.value)))
    out.append(Row("stage", _stage_line(view)))
    return out


def sources_heading(view: AlertView) -> str:
    """Return "sources (3)"."""
    return f"sources ({len(view.sources)})"


def source_label(source: SourceView) -> str:
    """Return "Reuters (en)", or just the outlet when the language is unknown."""
    outlet = clean(source.outlet) or "unknown outlet"
    return f"{outlet} ({clean(source.language)})" if source.language else outlet


def footer(view: AlertView) -> str:
    """Return "watchlist: Central Asia drones · deal: kz-tr-tb2 · alert: a1", plus first seen when known."""
    parts = [
        f"watchlist: {clean(view.watchlist_name)}",
        f"deal: {clean(view.deal_key)}",
        f"alert: {clean(view.alert_id)}",
    ]
    if view.first_seen:
        parts.append(f"first seen: {clean(view.first_seen)}")
    return " · ".join(parts)


#: The most sources a chat message lists by name (the rest are counted).
MAX_SOURCES = 10


def fitted(view: AlertView, body: Callable[[AlertView, int], str], limit: int) -> str:
    """The body listing as many sources (up to MAX_SOURCES) as keep it within `limit` characters."""
    shown = min(len(view.sources), MAX_SOURCES)
    text = body(view, shown)
    while len(text) > limit and shown > 0:
        shown -= 1
        text = body(view, shown)
    return text
