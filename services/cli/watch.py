"""`armswatch watch`: add (with a backfill), list, show, remove and test watchlists."""

from __future__ import annotations

import asyncio
import json
import sys

import click

from services.bus import Publisher
from services.cli._context import Context, pass_context
from services.errors import UsageError
from services.netguard import AddressPolicy
from services.notify.backfill import backfill as run_backfill
from services.notify.backfill import parse_window
from services.notify.deliver import Deliverer
from services.notify.sample import send_sample
from services.notify.watchlists import build_watchlist, save_watchlist, shown
from services.record_types import Watchlist
from services.records import now_iso
from services.store import queries


@click.group()
def watch() -> None:
    """Watchlists: what to alert on, and where to send the alerts."""


@watch.command("add")
@click.argument("name")
@click.option("--buyer", multiple=True, help="Buying country: ISO code or name (repeatable).")
@click.option("--seller", multiple=True, help="Selling country: ISO code or name (repeatable).")
@click.option(
    "--system", multiple=True, help='Weapon system, alias-aware: "Bayraktar TB2", "TB2" (repeatable).'
)
@click.option("--category", multiple=True, help="Equipment category such as uav, helicopter (repeatable).")
@click.option(
    "--stage", default=None, help="This stage or later: interest, negotiation, approval, contract, delivery."
)
@click.option(
    "--min-quantity",
    type=click.IntRange(0, 10**9),
    default=None,
    help="Only deals of at least this many units.",
)
@click.option(
    "--min-sources",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Alert once this many outlets report it.",
)
@click.option("--keyword", multiple=True, help="Word that must appear in the evidence or title (repeatable).")
@click.option(
    "--notify", multiple=True, help="Apprise URL to send alerts to: mailto://, slack://, tgram:// ..."
)
@click.option("--digest", default="off", show_default=True, help="off, hourly or daily.")
@click.option("--owner", default="admin", show_default=True, help="The user who owns the watchlist.")
@click.option(
    "--backfill",
    default=None,
    metavar="WINDOW",
    help="Also alert what the watchlist would have sent over the stored events of this window (30d, 12h).",
)
@pass_context
def add(
    ctx: Context,
    name: str,
    buyer: tuple[str, ...],
    seller: tuple[str, ...],
    system: tuple[str, ...],
    category: tuple[str, ...],
    stage: str | None,
    min_quantity: int | None,
    min_sources: int,
    keyword: tuple[str, ...],
    notify: tuple[str, ...],
    digest: str,
    owner: str,
    backfill: str | None,
) -> None:
    """Add watchlist NAME."""
    window = parse_window(backfill) if backfill is not None else None
    record = build_watchlist(
        name=name,
        owner=owner,
        buyers=buyer,
        sellers=seller,
        systems=system,
        categories=category,
        stage=stage,
        min_quantity=min_quantity,
        min_sources=min_sources,
        keywords=keyword,
        notify=notify,
        digest=digest,
        policy=AddressPolicy(ctx.settings.allowed_host_set),
    )

    _save(ctx, record, record["id"])
    click.echo(f"watchlist {record['id']} added: {record['name']}")
    if not record["notify"]:
        click.echo("  no --notify channel: its alerts are only listed by `armswatch alerts`", err=True)
    if window is not None:
        alerts = run_backfill(ctx.db(), record, window)
        click.echo(f"backfill over {backfill}: {len(alerts)} alert(s) to send")
        for alert in alerts:
            click.echo(f"  {alert['deal_key']}  {alert['stage']}  (was: {alert['previous_stage'] or '-'})")


def resolve(ctx: Context, ref: str, command: str = "watch") -> Watchlist:
    """The watchlist with id `ref`, else the one named `ref`; a UsageError when none or several are."""
    found = queries.watchlists_named(ctx.db(), ref)
    if not found:
        raise UsageError(f"{command}: no watchlist with id or name {ref!r}")
    if len(found) > 1:
        ids = ", ".join(w["id"] for w in found)
        raise UsageError(f"{command}: {len(found)} watchlists are named {ref!r} (ids {ids}): give the id")
    return found[0]


def _save(ctx: Context, record: Watchlist | None, watchlist_id: str) -> None:
    async def save(publisher: Publisher) -> None:
        await save_watchlist(publisher, record, watchlist_id)

    ctx.with_publisher(save)


_CLEARABLE = ("buyers", "sellers", "systems", "categories", "keywords", "notify", "stage", "min-quantity")


@watch.command("edit")
@click.argument("watchlist", metavar="ID|NAME")
@click.option("--name", "new_name", default=None, help="A new name.")
@click.option("--buyer", multiple=True, help="Buying countries, replacing the current ones (repeatable).")
@click.option("--seller", multiple=True, help="Selling countries, replacing the current ones (repeatable).")
@click.option("--system", multiple=True, help="Weapon systems, replacing the current ones (repeatable).")
@click.option("--category", multiple=True, help="Equipment categories, replacing the current ones.")
@click.option("--stage", default=None, help="This stage or later, replacing the current one.")
@click.option("--min-quantity", type=click.IntRange(0, 10**9), default=None, help="Only deals this large.")
@click.option("--min-sources", type=click.IntRange(1, 1000), default=None, help="Outlets before alerting.")
@click.option("--keyword", multiple=True, help="Words, replacing the current ones (repeatable).")
@click.option("--notify", multiple=True, help="Apprise URLs, replacing the current channels (repeatable).")
@click.option("--digest", default=None, help="off, hourly or daily.")
@click.option(
    "--clear",
    multiple=True,
    type=click.Choice(_CLEARABLE),
    help="Empty a filter (repeatable): " + ", ".join(_CLEARABLE) + ".",
)
@pass_context
def edit(
    ctx: Context,
    watchlist: str,
    new_name: str | None,
    buyer: tuple[str, ...],
    seller: tuple[str, ...],
    system: tuple[str, ...],
    category: tuple[str, ...],
    stage: str | None,
    min_quantity: int | None,
    min_sources: int | None,
    keyword: tuple[str, ...],
    notify: tuple[str, ...],
    digest: str | None,
    clear: tuple[str, ...],
) -> None:
    """Change a watchlist: each option given replaces that part; the rest stays (its id, owner, pause too)."""
    old = resolve(ctx, watchlist)
    lists = (buyer, seller, system, category, keyword, notify, clear)
    if all(v is None for v in (new_name, stage, min_quantity, min_sources, digest)) and not any(lists):
        raise UsageError("watch: edit: give at least one option to change (see armswatch watch edit --help)")

    def pick(values: tuple[str, ...], field: str, current: list[str]) -> list[str]:
        return [] if field in clear else list(values) if values else current

    record = build_watchlist(
        name=new_name if new_name is not None else old["name"],
        owner=old["owner"],
        buyers=pick(buyer, "buyers", old["buyers"]),
        sellers=pick(seller, "sellers", old["sellers"]),
        systems=pick(system, "systems", old["systems"]),
        categories=pick(category, "categories", list(old["categories"])),
        stage=None if "stage" in clear else stage if stage is not None else old["stage"],
        min_quantity=None
        if "min-quantity" in clear
        else min_quantity
        if min_quantity is not None
        else old["min_quantity"],
        min_sources=min_sources if min_sources is not None else old["min_sources"],
        keywords=pick(keyword, "keywords", old["keywords"]),
        notify=pick(notify, "notify", old["notify"]),
        digest=digest if digest is not None else old["digest"],
        watchlist_id=old["id"],
        created_at=old["created_at"],
        policy=AddressPolicy(ctx.settings.allowed_host_set),
    )
    if old.get("paused"):
        record["paused"] = True
    _save(ctx, record, record["id"])
    click.echo(f"watchlist {record['id']} changed: {record['name']}")


@watch.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every watchlist, one line each."""
    records = queries.watchlists(ctx.db())
    if not records:
        click.echo("no watchlists yet: armswatch watch add NAME --buyer KZ --notify mailto://...")
    for r in records:
        filters = []
        for label, values in (
            ("buyer", r["buyers"]),
            ("seller", r["sellers"]),
            ("system", r["systems"]),
            ("category", r["categories"]),
        ):
            if values:
                filters.append(f"{label}={','.join(values)}")
        if r.get("stage"):
            filters.append(f"stage>={r['stage']}")
        click.echo(
            f"{r['id']}  {r['name']}  [{' '.join(filters) or 'everything'}]  channels={len(r.get('notify') or [])}"
        )


@watch.command("show")
@click.argument("watchlist_id", metavar="ID|NAME")
@pass_context
def show(ctx: Context, watchlist_id: str) -> None:
    """One watchlist in full (notify URLs redacted)."""
    click.echo(json.dumps(shown(resolve(ctx, watchlist_id)), indent=2, ensure_ascii=False))


@watch.command("remove")
@click.argument("watchlist", metavar="ID|NAME")
@pass_context
def remove(ctx: Context, watchlist: str) -> None:
    """Delete a watchlist (a tombstone on the watchlists topic)."""
    record = resolve(ctx, watchlist)
    _save(ctx, None, record["id"])
    click.echo(f"watchlist {record['id']} removed: {record['name']}")


def _pausing(name: str, paused: bool, doc: str) -> None:
    """Add `watch pause` or `watch resume`: set the watchlist's pause and publish it when it changes."""

    @watch.command(name, help=doc)
    @click.argument("watchlist", metavar="ID|NAME")
    @pass_context
    def command(ctx: Context, watchlist: str) -> None:
        record = resolve(ctx, watchlist)
        if bool(record.get("paused")) != paused:
            record = {**record, "paused": paused, "updated_at": now_iso()}
            _save(ctx, record, record["id"])
        click.echo(f"watchlist {record['id']} {'paused' if paused else 'resumed'}: {record['name']}")


_pausing(
    "pause", True, "Stop alerting on a watchlist until it is resumed (nothing it matched meanwhile is sent)."
)
_pausing("resume", False, "Alert on a paused watchlist again, from now on.")


@watch.command("test")
@click.argument("watchlist_id", metavar="ID|NAME")
@pass_context
def test(ctx: Context, watchlist_id: str) -> None:
    """Send a sample alert to each channel of a watchlist and print each outcome (exit 1 if one failed)."""
    record = resolve(ctx, watchlist_id)
    if not record.get("notify"):
        raise UsageError(f"watch: watchlist {record['id']} has no --notify channel to test")
    outcomes = asyncio.run(send_sample(Deliverer.from_settings(ctx.settings), record))
    for outcome in outcomes:
        final = outcome.attempt
        tries = f"{final.attempt} attempt{'s' if final.attempt != 1 else ''}"
        if final.outcome == "sent":
            click.echo(f"{outcome.channel}: sent ({tries})")
        else:
            click.echo(f"{outcome.channel}: failed ({tries}): {final.error}")
    if any(o.attempt.outcome != "sent" for o in outcomes):
        sys.exit(1)


COMMANDS = (watch,)
