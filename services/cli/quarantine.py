"""`armswatch quarantine`: the records no topic could take, kept with their reason."""

from __future__ import annotations

import json

import click

from services.cli._context import Context, pass_context
from services.store import archive


@click.command()
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@pass_context
def quarantine(ctx: Context, limit: int, as_json: bool) -> None:
    """Records kept back from their topic (too large, or refused by the broker), newest first."""
    rows = archive.quarantined(ctx.db(), limit)
    if not rows and not as_json:
        click.echo("no quarantined records")
        return
    for r in rows:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "seq": r.seq,
                        "topic": r.topic,
                        "record_id": r.record_id,
                        "bytes": r.size,
                        "reason": r.reason,
                        "at": r.created_at.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            at = r.created_at.strftime("%Y-%m-%d %H:%M:%SZ")
            click.echo(f"{at}  {r.topic}  {r.record_id}  {r.size} bytes  {r.reason}")


COMMANDS = (quarantine,)
