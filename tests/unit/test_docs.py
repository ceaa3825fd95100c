"""The README's commands exist, and every setting is documented with help text."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from services.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> set[tuple[str, ...]]:
    commands = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^armswatch ((?:[a-z]+ ?){1,2})", line.strip())
        if match:
            commands.add(tuple(match.group(1).split()))
    return commands


def test_every_command_in_the_readme_exists():
    """`armswatch <group> <command> --help` works for each command line the README shows."""
    commands = _readme_commands()
    assert len(commands) >= 10
    runner = CliRunner()
    for words in sorted(commands):
        result = runner.invoke(cli, [*words, "--help"])
        if result.exit_code != 0 and len(words) == 2:  # "watch add NAME": the second word may be an argument
            result = runner.invoke(cli, [words[0], "--help"])
        assert result.exit_code == 0, (words, result.output)


def test_both_first_screen_commands_are_make_targets():
    """`make demo` and `make test` are on the README's first screen and in the Makefile."""
    first_screen = "\n".join(README.read_text(encoding="utf-8").splitlines()[:30])
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in first_screen
        assert re.search(rf"^{target}:", makefile, re.M)
