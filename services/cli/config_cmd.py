"""`armswatch config show`: the effective settings, secrets redacted."""

from __future__ import annotations

import click

from services.cli._context import Context, pass_context
from services.config import describe


@click.group("config")
def config_group() -> None:
    """Settings."""


@config_group.command("show")
@click.option("--help-lines", is_flag=True, help="Also print each setting's help line.")
@pass_context
def show(ctx: Context, help_lines: bool) -> None:
    """Print every effective setting (ARMSWATCH_* variable = value)."""
    for name, value, text in describe(ctx.settings):
        click.echo(f"{name}={value}" + (f"    # {text}" if help_lines else ""))


COMMANDS = (config_group,)
