"""Commands that run services: `up`, `worker`, `demo`."""

from __future__ import annotations

import asyncio
import os

import click

from services.bus import Publisher
from services.cli._context import Context, pass_context
from services.logs import configure_logging
from services.runtime import ROLES, run_stack


@click.command()
@click.option(
    "--api-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port of the API (default: ARMSWATCH_API_PORT, 8080).",
)
@pass_context
def up(ctx: Context, api_port: int | None) -> None:
    """Run every service and the API in one process (embedded broker unless ARMSWATCH_KAFKA_BOOTSTRAP is set)."""
    settings = ctx.settings
    if api_port is not None:
        settings = settings.model_copy(update={"api_port": api_port})
    asyncio.run(run_stack(settings, ROLES))


@click.command()
@click.argument("role", type=click.Choice(ROLES))
@pass_context
def worker(ctx: Context, role: str) -> None:
    """Run one service: ingest, classify, notify or api."""
    asyncio.run(run_stack(ctx.settings, (role,)))


@click.command()
@click.option(
    "--duration",
    type=click.FloatRange(1.0, 86_400.0),
    default=90.0,
    show_default=True,
    help="Stop after this many seconds at most.",
)
@click.option("--keep-data", is_flag=True, help="Keep the demo's data directory (printed at the end).")
@pass_context
def demo(ctx: Context, duration: float, keep_data: bool) -> None:
    """Run the embedded stack on bundled sample feeds and print the demo watchlist's alerts as they arrive."""
    from services.demo.run import run_demo

    if ctx.log_level is None and "ARMSWATCH_LOG_LEVEL" not in os.environ:
        configure_logging("warning", ctx.settings.log_format)  # the terminal is for the alerts
    code = run_demo(ctx.settings, duration=duration, keep_data=keep_data)
    raise SystemExit(code)


@click.command()
@pass_context
def rebuild(ctx: Context) -> None:
    """Recreate the read model from the topics (embedded mode: from the event_log archive)."""
    from services.rebuild import TopicReplay
    from services.rebuild import rebuild as run_rebuild

    settings = ctx.settings
    bootstrap = None if settings.embedded else settings.kafka_bootstrap

    async def work(publisher: Publisher) -> dict[str, TopicReplay]:
        return await run_rebuild(settings, publisher.db, bootstrap, publisher)

    report = ctx.with_publisher(work)
    for topic, counts in report.items():
        click.echo(f"{topic}: {counts['applied']} applied, {counts['skipped']} skipped (unusable)")


COMMANDS = (up, worker, demo, rebuild)
