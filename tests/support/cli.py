"""Run the `armswatch` console entry point in this process (its error handling included), as a child would."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any
from unittest import mock

import click
import structlog
from click.testing import CliRunner, Result

from services import cli as armswatch_cli


class Entry(click.Command):
    """What CliRunner invokes: `services.cli.main` (the console entry point) with sys.argv set."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        with mock.patch.object(sys, "argv", ["armswatch", *(args or ())]):
            armswatch_cli.main()


def runner() -> CliRunner:
    """A runner keeping stderr apart: always so from click 8.2 (no mix_stderr), asked for before it.

    Feature detection, not click.__version__ (deprecated in click 8.3, an error under this suite's warnings).
    """
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def run_in_process(args: list[str], **settings: str) -> Result:
    """`armswatch ARGS` with only the given ARMSWATCH_* settings; logging is put back as it was after it."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ARMSWATCH_")}
    env.update({f"ARMSWATCH_{name.upper()}": value for name, value in settings.items()})
    root = logging.getLogger()
    handlers, level, config = list(root.handlers), root.level, structlog.get_config()
    try:
        return runner().invoke(Entry("armswatch"), args, env=env, catch_exceptions=True)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
