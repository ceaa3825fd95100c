"""`armswatch replay`: stored history through the current classifier and/or a watchlist."""

from __future__ import annotations

import click

from services.bus import Publisher
from services.classify.backends import load_classifier
from services.cli._context import Context, check_when, pass_context
from services.cli.watch import resolve
from services.errors import UsageError
from services.record_types import ProcurementEvent, Watchlist
from services.records import PROCUREMENT_EVENT
from services.replay import ReplayResult, create_alerts, reclassify, watchlist_alerts


def _event_line(event: ProcurementEvent) -> str:
    qty = "" if event.get("quantity") is None else f" x{event['quantity']}"
    return (
        f"{event['detected_at'][:10]}  {event['stage']:<12} {event['buyer']} ← {event.get('seller') or '?'}: "
        f"{event.get('system') or event['category']}{qty}"
    )


def _watchlist(ctx: Context, watchlist_id: str) -> Watchlist:
    return resolve(ctx, watchlist_id, "replay")


@click.command()
@click.option("--since", default=None, help="From this date or time (YYYY-MM-DD or RFC 3339).")
@click.option("--until", default=None, help="Up to this date or time, inclusive.")
@click.option(
    "--reclassify",
    "reclassify_",
    is_flag=True,
    help="Classify the stored articles again with the current classifier.",
)
@click.option(
    "--watchlist",
    "watchlist_id",
    default=None,
    help="Show (or create) the alerts of this watchlist (id or name).",
)
@click.option(
    "--dry-run/--deliver", default=True, help="Only print (default), or produce events and create alerts."
)
@pass_context
def replay(
    ctx: Context,
    since: str | None,
    until: str | None,
    reclassify_: bool,
    watchlist_id: str | None,
    dry_run: bool,
) -> None:
    """Replay history: re-classify stored articles and/or run a watchlist over stored events."""
    if not reclassify_ and watchlist_id is None:
        raise UsageError("replay: say what to replay: --reclassify, --watchlist ID, or both")
    check_when("replay", "--since", since)
    check_when("replay", "--until", until)
    db = ctx.db()
    result = ReplayResult()
    if reclassify_:
        result = reclassify(db, load_classifier(ctx.settings), since, until)
        for event in result.events:
            mark = "new " if event["id"] in result.new_event_ids else "same"
            click.echo(f"{mark}  {_event_line(event)}")
        click.echo(
            f"replay: {result.articles} articles → {len(result.events)} events, {len(result.new_event_ids)} not stored yet"
        )
    if watchlist_id is not None:
        watchlist = _watchlist(ctx, watchlist_id)
        events = result.events if reclassify_ else None
        result.alerts = watchlist_alerts(db, watchlist, since, until, events)
        for _deal, event in result.alerts:
            click.echo(f"alert  {watchlist['name']}: {_event_line(event)}")
        click.echo(f"replay: watchlist {watchlist_id} would alert {len(result.alerts)} times")
    if dry_run:
        click.echo("dry run: nothing produced (use --deliver)")
        return
    if reclassify_:
        new = [e for e in result.events if e["id"] in result.new_event_ids]

        async def produce(publisher: Publisher) -> int:
            sent = 0
            for event in new:
                sent += await publisher.publish(
                    PROCUREMENT_EVENT, event, key=event["deal_key"], record_id=event["id"]
                )
            return sent

        click.echo(f"replay: {ctx.with_publisher(produce)} events produced on the procurement topic")
    elif watchlist_id is not None:
        created = create_alerts(db, _watchlist(ctx, watchlist_id), result.alerts)
        click.echo(f"replay: {created} alerts created; the running notifier sends them")


COMMANDS = (replay,)
