"""`armswatch feeds`: add, list, remove, import and export the feeds ingest polls."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from services.channels import validate_url
from services.cli._context import Context, pass_context
from services.config import Settings, redact_url
from services.errors import UsageError
from services.ingest.opml import OpmlError, OpmlFeed, read_opml, write_opml
from services.ingest.urls import validate_feed_url
from services.logs import redact_credentials
from services.netguard import AddressPolicy
from services.store import feeds as feedstore
from services.store.models import Feed

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


def poll_interval(text: str, settings: Settings) -> float:
    """An --interval within the poller's bounds (ARMSWATCH_POLL_MIN_INTERVAL .. ARMSWATCH_POLL_MAX_INTERVAL)."""
    seconds = parse_duration(text)
    low, high = settings.poll_min_interval, settings.poll_max_interval
    if seconds < low:
        raise UsageError(f"--interval {text!r} is shorter than ARMSWATCH_POLL_MIN_INTERVAL ({low:.0f}s)")
    if seconds > high:
        raise UsageError(f"--interval {text!r} is longer than ARMSWATCH_POLL_MAX_INTERVAL ({high:.0f}s)")
    return seconds


def _clean_url(url: str, settings: Settings) -> str:
    """The feed URL normalised, or a UsageError: malformed, or a literal internal address (names: at fetch)."""
    try:
        clean = validate_feed_url(url)
        parts = urlsplit(clean)
        AddressPolicy(settings.allowed_host_set).check_literal(
            parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), redact_url(clean)
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return clean


@click.group()
def feeds() -> None:
    """The feeds armswatch polls."""


@feeds.command("add")
@click.argument("url")
@click.option("--interval", default="15m", show_default=True, help="Time between two polls (30s, 15m, 1h).")
@click.option("--full-text", is_flag=True, help="Fetch each article's page for its full text.")
@click.option("--owner", help="Who looks after this feed (shown in the list).")
@click.option(
    "--notify", "notify", multiple=True, metavar="APPRISE_URL", help="Told when the feed breaks and recovers."
)
@pass_context
def add(
    ctx: Context, url: str, interval: str, full_text: bool, owner: str | None, notify: tuple[str, ...]
) -> None:
    """Watch the RSS or Atom feed at URL."""
    clean = _clean_url(url, ctx.settings)
    seconds = poll_interval(interval, ctx.settings)
    for channel in notify:
        try:
            validate_url(channel, AddressPolicy(ctx.settings.allowed_host_set))
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    feed_id = feedstore.add_feed(ctx.db(), clean, seconds, full_text, owner=owner, notify=notify)
    click.echo(f"feed {feed_id} added: {redact_url(clean)} (every {seconds:g}s)")


def _when(moment: datetime | None, default: str) -> str:
    return moment.isoformat(timespec="seconds") if moment else default


def _describe(f: Feed) -> str:
    every = f"every {f.interval_s:.0f}s"
    if f.current_interval_s and round(f.current_interval_s) != round(f.interval_s):
        every += f" (now {f.current_interval_s:.0f}s)"
    flags = [
        "PAUSED" if f.paused else "",
        "full text" if f.full_text else "",
        f"push {f.websub_state}" if f.websub_state else "",
        f"owner {f.owner}" if f.owner else "",
    ]
    extra = "  ".join(x for x in flags if x)
    return (
        f"{f.id:>4}  {redact_url(f.url)}{'  ' + extra if extra else ''}\n"
        f"      {every}  last {_when(f.last_fetch_at, 'never')}  status {redact_credentials(f.last_status or '-')}"
        f"  errors {f.consecutive_errors}  next {_when(f.next_due_at, '-')}  items {f.items_seen}"
    )


@feeds.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every feed with its health: interval, last fetch, status, errors, next due, items seen."""
    rows = feedstore.list_feeds(ctx.db())
    if not rows:
        click.echo("no feeds yet: armswatch feeds add URL")
        return
    for f in rows:
        click.echo(_describe(f))


@feeds.command("remove")
@click.argument("feed_id", type=click.IntRange(1, 2**63 - 1))
@pass_context
def remove(ctx: Context, feed_id: int) -> None:
    """Stop watching feed FEED_ID."""
    feedstore.remove_feed(ctx.db(), feed_id)
    click.echo(f"feed {feed_id} removed")


def _feed(ctx: Context, feed_id: int) -> Feed:
    feed = feedstore.get_feed(ctx.db(), feed_id)
    if feed is None:
        raise UsageError(f"feeds: no feed with id {feed_id}")
    return feed


def _pausing(name: str, paused: bool, doc: str, done: str) -> None:
    """Add `feeds pause` or `feeds resume`; `done` is what it prints, with {id} for the feed."""

    @feeds.command(name, help=doc)
    @click.argument("feed_id", type=click.IntRange(1, 2**63 - 1))
    @pass_context
    def command(ctx: Context, feed_id: int) -> None:
        feedstore.set_paused(ctx.db(), feed_id, paused)
        click.echo(done.format(id=feed_id))


_pausing(
    "pause",
    True,
    "Stop polling feed FEED_ID until it is resumed (its settings and seen items are kept).",
    "feed {id} paused: armswatch feeds resume {id} polls it again",
)
_pausing("resume", False, "Poll a paused feed again, starting now.", "feed {id} resumed: due now")


@feeds.command("poll")
@click.argument("feed_id", type=click.IntRange(1, 2**63 - 1))
@pass_context
def poll(ctx: Context, feed_id: int) -> None:
    """Fetch feed FEED_ID now: a running poller takes it at its next look for due feeds."""
    feed = _feed(ctx, feed_id)
    if feed.paused:
        raise UsageError(f"feeds: feed {feed_id} is paused: armswatch feeds resume {feed_id}")
    feedstore.poll_now(ctx.db(), feed_id)
    click.echo(
        f"feed {feed_id} is due now: a running armswatch polls it within "
        f"ARMSWATCH_POLL_TICK ({ctx.settings.poll_tick:g}s)"
    )


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--interval", default="15m", show_default=True, help="Time between two polls of each feed.")
@click.option("--full-text", is_flag=True, help="Fetch each article's page for its full text.")
@pass_context
def import_(ctx: Context, file: Path, interval: str, full_text: bool) -> None:
    """Watch every feed listed in an OPML FILE (- reads standard input)."""
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    try:
        outlines = read_opml(data)
    except OpmlError as exc:
        raise UsageError(str(exc)) from exc
    seconds = poll_interval(interval, ctx.settings)
    good: dict[str, str | None] = {}
    for outline in outlines:
        try:
            good.setdefault(_clean_url(outline.url, ctx.settings), outline.title)
        except UsageError as exc:
            click.echo(f"skipped: {exc}", err=True)
    added, known = feedstore.add_feeds(ctx.db(), good.items(), seconds, full_text)
    click.echo(
        f"imported {added} feeds from {file} ({known} already watched, {len(outlines) - len(good)} skipped)"
    )


@feeds.command("export")
@pass_context
def export(ctx: Context) -> None:
    """Print every feed as OPML 2.0, for other feed readers."""
    rows = feedstore.list_feeds(ctx.db())
    document = write_opml((OpmlFeed(redact_url(f.url), f.title) for f in rows), created=datetime.now(UTC))
    click.echo(document.decode("utf-8"), nl=False)


COMMANDS = (feeds,)
