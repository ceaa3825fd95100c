"""`armswatch status`: what runs and how far behind it is, feeds in error, the last article and alert, what waits."""

from __future__ import annotations

import asyncio
import json

import click

from services.broker.admin import TopicLag, consumer_lag
from services.cli._context import Context, pass_context
from services.config import redact_url
from services.errors import BrokerError
from services.store import queries


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """Services and consumer lag per topic (Apache Kafka), feeds in error, the last article and alert, queues."""
    settings = ctx.settings
    store = queries.health(ctx.db())
    lag: list[TopicLag] | str
    if settings.embedded:
        lag = "embedded broker: lag is known to the running `armswatch up` only"
    else:
        try:
            lag = asyncio.run(consumer_lag(str(settings.kafka_bootstrap), settings))
        except BrokerError as exc:
            lag = str(exc)
    if as_json:
        click.echo(json.dumps({"store": store, "consumers": lag}, ensure_ascii=False))
        return
    where = "embedded (Tansu, SQLite)" if settings.embedded else f"Kafka {settings.kafka_bootstrap}"
    click.echo(f"broker    {where}; store {redact_url(settings.effective_database_url)}")
    if isinstance(lag, str):
        click.echo(f"consumers {lag}")
    elif not lag:
        click.echo("consumers none: no armswatch worker has joined yet")
    for row in lag if isinstance(lag, list) else []:
        running = "?" if row["members"] < 0 else row["members"]
        click.echo(f"consumers {row['group']} ({running} running)  {row['topic']}  lag {row['lag']}")
    click.echo(
        f"feeds     {store['feeds']} ({store['feeds_paused']} paused, {len(store['feeds_in_error'])} in error)"
    )
    for trouble in store["feeds_in_error"]:
        click.echo(
            f"          {trouble['id']:>4}  {trouble['url']}  errors {trouble['errors']}  {trouble['status'] or '-'}"
        )
    click.echo(
        f"last      article {store['last_article_at'] or 'never'}  event {store['last_event_at'] or 'never'}"
        f"  alert {store['last_alert_at'] or 'never'}"
    )
    click.echo(
        f"waiting   alerts {store['alerts_pending']} to send, {store['alerts_held']} held for digests, "
        f"{store['sends_deferred']} sends deferred (channel down); outbox {store['outbox']}"
    )
    click.echo(f"trouble   dead letters {store['dead_letters']}, quarantined records {store['quarantined']}")


COMMANDS = (status,)
