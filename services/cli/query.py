"""`armswatch events` and `armswatch deals`: the read model, newest first."""

from __future__ import annotations

import click

from services.cli._context import Context, check_when, emit, pass_context
from services.deals import STAGES
from services.notify.watchlists import country_code
from services.record_types import DealView, ProcurementEvent
from services.store import queries


@click.command()
@click.option("--buyer", default=None, help="Buying country (ISO code or name).")
@click.option("--since", default=None, help="Only events detected on or after this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@pass_context
def events(ctx: Context, buyer: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """Procurement events, newest first."""
    check_when("events", "--since", since)
    buyer_iso = country_code(buyer) if buyer is not None else None
    rows = queries.events(ctx.db(), buyer_iso=buyer_iso, since=since, limit=limit)
    emit(rows, as_json, "no events", _event_line)


def _event_line(r: ProcurementEvent) -> str:
    qty = "" if r.get("quantity") is None else f" x{r['quantity']}"
    return (
        f"{r['detected_at'][:19]}  {r['stage']:<12} {r['buyer']} ← {r.get('seller') or '?'}: "
        f"{r.get('system') or r['category']}{qty}  [{r.get('source') or ''}, {r.get('language') or '?'}]"
    )


@click.command()
@click.option("--buyer", default=None, help="Buying country (ISO code or name).")
@click.option("--stage", type=click.Choice(STAGES), default=None, help="Only deals at this furthest stage.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@pass_context
def deals(ctx: Context, buyer: str | None, stage: str | None, limit: int, as_json: bool) -> None:
    """Deals with their stages and sources, most recently updated first."""
    buyer_iso = country_code(buyer) if buyer is not None else None
    emit(
        queries.deals(ctx.db(), buyer_iso=buyer_iso, stage=stage, limit=limit),
        as_json,
        "no deals",
        _deal_line,
    )


def _deal_line(d: DealView) -> str:
    seen = [s for s in STAGES if s in (d["stages_seen"] or {})]
    stages = f"stage {d['stage']}" + (f" ({' → '.join(seen)})" if len(seen) > 1 else "")
    qty = "" if d["quantity"] is None else f" x{d['quantity']}"
    outlets = sorted({s["outlet"] for s in d.get("sources", [])})
    return (
        f"{d['buyer']} ← {d['seller'] or '?'}: {d['system'] or d['category']}{qty}  "
        f"{stages}  sources {len(outlets)}: {', '.join(outlets)}"
    )


COMMANDS = (events, deals)
