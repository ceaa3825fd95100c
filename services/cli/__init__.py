"""The `armswatch` command: a click group with one module per command group."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from services import __version__
from services.cli._context import Context, fail
from services.errors import ArmswatchError, UsageError
from services.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="armswatch")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="TOML settings file."
)
@click.option(
    "--log-format", type=click.Choice(["console", "json"]), help="Log line format (default: console)."
)
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), help="Lowest level logged."
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, log_format: str | None, log_level: str | None) -> None:
    """armswatch: alerts on arms-procurement news, from any feed, in any language."""
    ctx.obj = Context(config_file=config_file, log_format=log_format, log_level=log_level)
    ctx.call_on_close(ctx.obj.close)
    settings = ctx.obj.settings
    configure_logging(settings.log_level, settings.log_format)


def _register() -> None:
    from services.cli import (
        alerts_cmd,
        config_cmd,
        feeds,
        quarantine,
        query,
        replay,
        run,
        status_cmd,
        users,
        watch,
    )

    for module in (run, feeds, watch, query, alerts_cmd, status_cmd, quarantine, replay, users, config_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)
    try:
        from services.cli.classify_cmd import classify_command, eval_command
    except ImportError:  # pragma: no cover - the classifier ships with armswatch
        return
    cli.add_command(classify_command, "classify")
    cli.add_command(eval_command, "eval")


_register()


def _one_line(text: str) -> str:
    """`text` with line breaks, control characters and lone surrogates escaped, so an error stays one line."""
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)


def main() -> None:
    """Entry point: run the group; an armswatch error is one line on stderr and a non-zero exit."""
    for arg in sys.argv[1:]:
        if any("\ud800" <= ch <= "\udfff" for ch in arg):
            fail(f"argument {_one_line(arg)[:80]!r} is not valid UTF-8 text", 2)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.message = _one_line(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        fail(_one_line(str(exc)), 2)
    except ArmswatchError as exc:
        fail(_one_line(str(exc)), 1)
    except OSError as exc:  # a file named on the command line that cannot be read or written
        fail(_one_line(str(exc)), 1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


__all__ = ["cli", "main"]
