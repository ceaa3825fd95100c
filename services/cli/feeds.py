"""`armswatch feeds`: add, list and remove the feeds ingest polls."""

from __future__ import annotations

import re

import click

from services.cli._context import Context, pass_context
from services.errors import UsageError
from services.ingest.urls import validate_feed_url
from services.store import feeds as feedstore

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, what: str = "--interval") -> float:
    """Seconds in '15m', '1h', '30s', '2d' or a bare number of seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise UsageError(f"{what} {text!r} is not a duration such as 30s, 15m, 1h or 2d")
    value = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if value <= 0:
        raise UsageError(f"{what} must be more than zero")
    return value


@click.group()
def feeds() -> None:
    """The feeds armswatch polls."""


@feeds.command("add")
@click.argument("url")
@click.option("--interval", default="15m", show_default=True, help="Time between two polls (30s, 15m, 1h).")
@click.option("--full-text", is_flag=True, help="Fetch each article's page for its full text.")
@pass_context
def add(ctx: Context, url: str, interval: str, full_text: bool) -> None:
    """Watch the RSS or Atom feed at URL."""
    try:
        clean = validate_feed_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    seconds = parse_duration(interval)
    feed_id = feedstore.add_feed(ctx.db(), clean, seconds, full_text)
    click.echo(f"feed {feed_id} added: {clean} (every {interval})")


@feeds.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every feed with its health: interval, last fetch, status, errors, next due, items seen."""
    rows = feedstore.list_feeds(ctx.db())
    if not rows:
        click.echo("no feeds yet: armswatch feeds add URL")
        return
    for f in rows:
        last = f.last_fetch_at.isoformat(timespec="seconds") if f.last_fetch_at else "never"
        due = f.next_due_at.isoformat(timespec="seconds") if f.next_due_at else "-"
        click.echo(
            f"{f.id:>4}  {f.url}\n      every {f.interval_s:.0f}s  last {last}  status {f.last_status or '-'}"
            f"  errors {f.consecutive_errors}  next {due}  items {f.items_seen}"
        )


@feeds.command("remove")
@click.argument("feed_id", type=int)
@pass_context
def remove(ctx: Context, feed_id: int) -> None:
    """Stop watching feed FEED_ID."""
    feedstore.remove_feed(ctx.db(), feed_id)
    click.echo(f"feed {feed_id} removed")


COMMANDS = (feeds,)
