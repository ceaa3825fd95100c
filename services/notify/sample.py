"""`watch test`: a sample alert shaped by a watchlist's filters, sent to each of its channels, one outcome each."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, replace

from babel import Locale

from services.channels import redact
from services.notify.deliver import Attempt, Deliverer
from services.notify.gazetteer import expand_system
from services.notify.view import AlertView, SourceView
from services.record_types import Watchlist
from services.records import now_iso

__all__ = ["ChannelOutcome", "sample_view", "send_sample"]


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """One channel's result of a test send: the redacted URL and the final attempt."""

    channel: str
    attempt: Attempt


def _country(codes: list[str], fallback: str) -> tuple[str, str]:
    code = codes[0] if codes else fallback
    return Locale.parse("en").territories.get(code, code), code


def sample_view(watchlist: Watchlist) -> AlertView:
    """A clearly marked test alert about a deal the watchlist would match."""
    buyer, buyer_iso = _country(watchlist.get("buyers") or [], "KZ")
    seller, seller_iso = _country(watchlist.get("sellers") or [], "TR")
    wanted = list(watchlist.get("systems") or [])
    system = (sorted(expand_system(wanted[0])) or [wanted[0]])[0] if wanted else "Bayraktar TB2"
    stage = watchlist.get("stage") or "contract"
    return AlertView(
        alert_id=f"test-{secrets.token_hex(4)}",
        watchlist_name=watchlist["name"],
        deal_key=f"{buyer_iso}:test:{seller_iso}",
        buyer=buyer,
        buyer_iso=buyer_iso,
        seller=seller,
        seller_iso=seller_iso,
        system=system,
        category=(watchlist.get("categories") or ["uav"])[0],
        quantity=watchlist.get("min_quantity") or 12,
        quantity_approx=False,
        value=None,
        stage=stage,
        previous_stage=None,
        evidence=f"This is a test alert from armswatch for the watchlist {watchlist['name']!r}; no deal happened.",
        sources=(SourceView("armswatch test", "en", None, "Test alert"),),
        first_seen=now_iso(),
        test=True,
    )


async def send_sample(deliverer: Deliverer, watchlist: Watchlist) -> list[ChannelOutcome]:
    """Send a sample alert to every channel of the watchlist at once; return each channel's outcome."""
    view = sample_view(watchlist)
    urls = list(watchlist.get("notify") or [])
    finals = await asyncio.gather(*(deliverer.send(url, view) for url in urls))
    # A test send is not tried again later: a channel still failing after its attempts failed the test.
    finals = [replace(f, outcome="failed") if f.outcome == "deferred" else f for f in finals]
    return [ChannelOutcome(redact(url), final) for url, final in zip(urls, finals, strict=True)]
