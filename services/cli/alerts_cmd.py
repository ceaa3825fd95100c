"""`armswatch alerts`: past alerts, newest first, with each channel's delivery outcome."""

from __future__ import annotations

import click

from services.cli._context import Context, check_when, emit, pass_context
from services.cli.watch import resolve
from services.store import queries


@click.command("alerts")
@click.option("--watchlist", "watchlist_ref", default=None, help="Only this watchlist's alerts (id or name).")
@click.option("--since", default=None, help="Only alerts decided on or after this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@pass_context
def alerts(ctx: Context, watchlist_ref: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """Past alerts, newest first, with what became of each channel's send."""
    check_when("alerts", "--since", since)
    watchlist_id = None
    if watchlist_ref is not None:
        watchlist_id = resolve(ctx, watchlist_ref, "alerts")["id"]
    emit(
        queries.alerts(ctx.db(), watchlist_id=watchlist_id, since=since, limit=limit),
        as_json,
        "no alerts",
        _lines,
    )


def _lines(report: queries.AlertReport) -> str:
    """The alert on one line, then one line per channel's send."""
    alert, deal = report["alert"], report["alert"].get("deal")
    what = "?"
    if deal is not None:
        what = f"{deal['buyer']} ← {deal.get('seller') or '?'}: {deal.get('system') or deal['category']}"
    state = "sent" if report["delivered"] else "held for the digest" if report["held"] else "pending"
    lines = [
        f"{alert['created_at'][:19]}Z  {alert['stage']:<12} {what}  [{report['watchlist_name']}]  {state}"
    ]
    for send in report["sends"]:
        tries = f"{send['attempts']} attempt{'s' if send['attempts'] != 1 else ''}"
        error = f": {send['error']}" if send["error"] and send["status"] != "sent" else ""
        lines.append(f"    {send['channel']}: {send['status']} ({tries}){error}")
    return "\n".join(lines)


COMMANDS = (alerts,)
