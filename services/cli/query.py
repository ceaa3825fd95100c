"""`armswatch events` and `armswatch deals`: the read model, newest first."""

from __future__ import annotations

import json

import click

from services.cli._context import Context, check_when, pass_context
from services.deals import STAGES
from services.notify.watchlists import country_code
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
    if not rows and not as_json:
        click.echo("no events")
        raise SystemExit(3)
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False))
        else:
            qty = "" if r.get("quantity") is None else f" x{r['quantity']}"
            click.echo(
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
    out = queries.deals(ctx.db(), buyer_iso=buyer_iso, stage=stage, limit=limit)
    if not out and not as_json:
        click.echo("no deals")
        raise SystemExit(3)
    for d in out:
        if as_json:
            click.echo(json.dumps(d, ensure_ascii=False))
            continue
        stages = " → ".join(s for s in STAGES if s in (d["stages_seen"] or {}))
        qty = "" if d["quantity"] is None else f" x{d['quantity']}"
        outlets = sorted({s["outlet"] for s in d.get("sources", [])})
        click.echo(
            f"{d['buyer']} ← {d['seller'] or '?'}: {d['system'] or d['category']}{qty}  "
            f"stage {d['stage']} ({stages})  sources {len(outlets)}: {', '.join(outlets)}"
        )


COMMANDS = (events, deals)
