"""A fuzz of the command line: every command of the `armswatch` group, fed hostile arguments.

The commands are found by walking the click group, so a new command is fuzzed without a change here.
Each case runs in-process through `services.cli.main` (the console entry point, with its error
handling) under click's CliRunner, in a private data dir and working directory. For every case:

- no uncaught exception but SystemExit, and no traceback in the output;
- a non-zero exit has exactly one error line on stderr ("Error: ..."); for click's own usage errors
  the "Usage:" and "Try ..." lines before it are allowed;
- input that is invalid for the parameter (see `_must_reject`) exits non-zero;
- a URL password given to a URL parameter is never printed.

`up`, `worker` and `demo` start servers or stacks: they only get arguments click rejects while parsing
(their callbacks are replaced by a guard that fails the case should one be called).

The sample is deterministic: the first positional slot of each command gets every hostile value, each
option the values relevant to its kind plus a few others chosen by a seed of the command and option.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
import structlog
from click.testing import Result

import services.cli as armswatch_cli
from services.config import load_settings
from services.store.db import Database
from tests.support.cli import Entry, runner

LONG_RUNNING = frozenset({"up", "worker", "demo"})
SECRET = "hunter2"


@dataclass(frozen=True)
class Placeholder:
    """A path only known at run time (a file or directory of the module's sandbox)."""

    name: str


MISSING = Placeholder("missing")  # a file under a directory that does not exist
DIRECTORY = Placeholder("directory")
BINARY = Placeholder("binary")  # 4 KiB of every byte value
OPML = Placeholder("opml")  # a valid OPML file with one public feed
DATASET = Placeholder("dataset")  # a valid labelled dataset of one article
HOLE = Placeholder("hole")  # where a case's hostile value goes in its slot's argv

Token = str | Placeholder


@dataclass(frozen=True)
class Hostile:
    label: str
    value: Token
    tags: frozenset[str] = field(default_factory=frozenset)


def _h(label: str, value: Token, *tags: str) -> Hostile:
    return Hostile(label, value, frozenset(tags))


HOSTILE: tuple[Hostile, ...] = (
    _h("empty", "", "empty"),
    _h("blank", "   ", "empty"),
    _h("long", "A" * 10_000, "long"),
    _h("long-cyrillic", "ж" * 10_000, "long"),
    _h("newline", "line one\nline two", "control"),
    _h("carriage-return", "visible\rhidden", "control"),
    _h("ansi-escape", "\t\x1b[31mred\x1b[0m\x1b]0;title\x07", "control"),
    _h("bell-backspace-del", "a\x07\x08\x7fb", "control"),
    _h("vt-ff-fs-gs-rs", "a\x0bb\x0cc\x1cd\x1de\x1ef", "control"),
    _h("nel-lsep-psep", "a\x85b\u2028c\u2029d", "control"),
    _h("lone-surrogates", os.fsdecode(b"\xff\xfe\xed\xa0\x80"), "surrogate"),
    _h("rtl-override", "\u202eKZ\u202c\u200f", "rtl"),
    _h("rtl-arabic", "\u200fكازاخستان\u200e", "rtl"),
    _h("minus-one", "-1", "number"),
    _h("zero", "0", "number", "plain"),
    _h("huge-int", "99999999999999999999", "number", "plain"),
    _h("float-overflow", "1e309", "number", "plain"),
    _h("nan", "nan", "number", "plain"),
    _h("notadate", "notadate", "date", "plain"),
    _h("month-13-day-45", "2026-13-45", "date", "plain"),
    _h("zero-date", "0000-00-00", "date", "plain"),
    _h("missing-path", MISSING, "path"),
    _h("directory", DIRECTORY, "path"),
    _h("dev-null", "/dev/null", "path"),
    _h("binary-file", BINARY, "path"),
    _h("json-unterminated", '{"id": "x", "title": [1, {"__proto__": null}], "text": 1e999', "json"),
    _h("json-array", '[{"$ne": null}, "../../etc/passwd"]', "json"),
    _h("url-private-creds", f"http://admin:{SECRET}@10.0.0.5:8080/feed?token=s3cret", "url"),
    _h("url-metadata", "http://169.254.169.254/latest/meta-data/iam/", "url"),
    _h("url-loopback-v6", "http://[::1]:9092/", "url"),
    _h("url-localhost-name", "http://localhost:8080/feed", "url", "url-name"),
    _h("url-file", "file:///etc/passwd", "url"),
    _h("url-apprise-private-creds", f"json://user:{SECRET}@192.168.1.1/hook", "url"),
)

#: The kind of each parameter, by (command path, parameter name) or by parameter name alone.
KIND_BY_PATH: dict[tuple[tuple[str, ...], str], str] = {
    (("users", "add"), "name"): "username",
    (("users", "remove"), "name"): "lookup",
}
KIND_BY_NAME: dict[str, str] = {
    "since": "date",
    "until": "date",
    "buyer": "country",
    "seller": "country",
    "stage": "enum",
    "category": "enum",
    "digest": "enum",
    "interval": "duration",
    "backfill": "duration",
    "limit": "count",
    "min_quantity": "count",
    "min_sources": "count",
    "url": "url",
    "notify": "notify",
    "feed_id": "lookup",
    "watchlist_id": "lookup",
    "name": "name",
    "file": "input_file",
    "dataset": "input_file",
    "config_file": "input_file",
    "predictions": "output_file",
}

#: Hostile values always tried on a parameter of a kind (others are sampled).
RELEVANT: dict[str, frozenset[str]] = {
    "date": frozenset({"date", "empty", "number"}),
    "count": frozenset({"number", "empty"}),
    "duration": frozenset({"number", "empty", "date"}),
    "country": frozenset({"empty", "rtl", "surrogate", "long"}),
    "enum": frozenset({"empty", "rtl"}),
    "url": frozenset({"url", "empty", "path"}),
    "notify": frozenset({"url", "empty", "control"}),
    "lookup": frozenset({"number", "empty"}),
    "name": frozenset({"empty", "long", "control", "surrogate", "rtl"}),
    "username": frozenset({"empty", "surrogate", "rtl", "control"}),
    "input_file": frozenset({"path", "empty", "long"}),
    "output_file": frozenset({"path", "empty", "long"}),
    "choice": frozenset({"empty", "rtl", "number"}),
    "text": frozenset({"empty", "long", "surrogate"}),
}
OTHERS_PER_OPTION = 3
EXTRA_ARGUMENTS_PER_COMMAND = 4
FLAG_VALUES = 2

#: The arguments each command needs besides the one fuzzed: a call that would succeed without it.
#: A required argument missing here gets "x". `--json` keeps an empty listing at exit 0.
BASELINE: dict[tuple[str, ...], dict[str, tuple[Token, ...]]] = {
    (): {"__sub__": ("config", "show")},
    ("feeds", "add"): {"url": ("https://example.org/feed",)},
    ("feeds", "import"): {"file": (OPML,)},
    ("watch", "add"): {"name": ("fuzz",), "buyer": ("--buyer", "KZ"), "notify": ("--notify", "print://")},
    ("events",): {"as_json": ("--json",)},
    ("deals",): {"as_json": ("--json",)},
    ("quarantine",): {"as_json": ("--json",)},
    ("replay",): {"reclassify_": ("--reclassify",)},
    ("users", "add"): {"name": ("fuzz",)},
    ("eval",): {"dataset": (DATASET,)},
    ("worker",): {"role": ("ingest",)},
}


def _defect(reason: str, *case_ids: str) -> dict[str, str]:
    return dict.fromkeys(case_ids, reason)


#: Cases that show a defect, by case id: each is an xfail(strict=True) with its reason.
KNOWN_DEFECTS: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[Token, ...]
    must_reject: bool
    no_secret: bool = False
    slot: tuple[Token, ...] = ()  # argv with HOLE for the value (empty: not a value slot)


def _fill(slot: tuple[Token, ...], value: Token) -> tuple[Token, ...]:
    return tuple(value if token == HOLE else token for token in slot)


def _walk(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _walk(command.commands[name], (*path, name))


def _kind(path: tuple[str, ...], param: click.Parameter) -> str:
    name = param.name or ""
    if (path, name) in KIND_BY_PATH:
        return KIND_BY_PATH[(path, name)]
    if name in KIND_BY_NAME:
        return KIND_BY_NAME[name]
    if isinstance(param.type, click.Choice):
        return "choice"
    return "text"


def _typed(param: click.Parameter) -> bool:
    """A parameter whose click type can refuse a string (not a plain STRING, not a file name)."""
    return not isinstance(param.type, (click.types.StringParamType, click.Path, click.File))


def _click_refuses(param: click.Parameter, value: Token) -> bool:
    """Whether click's type conversion refuses `value` (paths stand in as a missing file name)."""
    text = value if isinstance(value, str) else "/nonexistent/fuzz"
    try:
        param.type.convert(text, param, None)
    except click.BadParameter:
        return True
    return False


def _must_reject(path: tuple[str, ...], param: click.Parameter, hostile: Hostile) -> bool:
    """Whether `hostile` is invalid for `param` (False: accepting it is allowed, crashing is not)."""
    if _typed(param) and _click_refuses(param, hostile.value):
        return True
    kind = _kind(path, param)
    tags = hostile.tags
    if kind in {"date", "country", "enum", "duration", "lookup", "choice"}:
        return True
    if kind in {"url", "notify"}:
        return "url-name" not in tags  # a name is resolved and checked when connecting
    if kind == "count":
        return hostile.value == "-1"
    if kind == "name":
        return "empty" in tags
    if kind == "username":
        return "plain" not in tags
    if kind == "input_file":
        return hostile.value != "/dev/null"  # an empty file can be a valid (empty) input
    if kind == "output_file":
        return "long" in tags or hostile.value in ("", MISSING, DIRECTORY)  # "   " is a file name
    return False


def _case_id(path: tuple[str, ...], slot: str, label: str) -> str:
    return f"{' '.join(path) or 'armswatch'}|{slot}|{label}"


def _sample(key: str, values: list[Hostile], k: int) -> list[Hostile]:
    rng = random.Random(zlib.crc32(key.encode()))
    return rng.sample(values, min(k, len(values)))


def _argv(
    path: tuple[str, ...], command: click.Command, fuzzed: click.Parameter | None, tokens: tuple[Token, ...]
) -> tuple[Token, ...]:
    """`path` + options + positional arguments, with `tokens` for `fuzzed` and the baseline for the rest."""
    base = BASELINE.get(path, {})
    options: list[Token] = []
    arguments: list[Token] = []
    for param in command.params:
        if param is fuzzed:
            chosen: tuple[Token, ...] = tokens
        elif param.name in base:
            chosen = base[param.name or ""]
        elif isinstance(param, click.Argument) and param.required:
            chosen = ("x",)
        else:
            continue
        (arguments if isinstance(param, click.Argument) else options).extend(chosen)
    return (*path, *options, *arguments)


def _value_cases(
    path: tuple[str, ...],
    param: click.Parameter,
    slot: tuple[Token, ...],
    values: list[Hostile],
    long_running: bool,
) -> Iterator[Case]:
    kind = _kind(path, param)
    for hostile in values:
        if long_running and not (_typed(param) and _click_refuses(param, hostile.value)):
            continue  # only what click refuses while parsing: the command itself never runs here
        yield Case(
            _case_id(
                path,
                param.opts[0] if isinstance(param, click.Option) else param.human_readable_name,
                hostile.label,
            ),
            _fill(slot, hostile.value),
            _must_reject(path, param, hostile),
            no_secret=kind in {"url", "notify"},
            slot=slot,
        )


def _cases() -> Iterator[Case]:
    for path, command in _walk(armswatch_cli.cli):
        long_running = bool(path) and path[0] in LONG_RUNNING
        yield Case(_case_id(path, "unknown-option", "--no-such-option"), (*path, "--no-such-option"), True)
        tail: tuple[Token, ...] = ()
        if isinstance(command, click.Group):
            slot = (*path, HOLE)
            for hostile in HOSTILE:
                yield Case(
                    _case_id(path, "COMMAND", hostile.label), _fill(slot, hostile.value), True, slot=slot
                )
            tail = BASELINE.get(path, {}).get("__sub__", ())
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
        if arguments:
            slot = _argv(path, command, arguments[0], (HOLE,))
            yield from _value_cases(path, arguments[0], slot, list(HOSTILE), long_running)
        elif not isinstance(command, click.Group):
            slot = (*_argv(path, command, None, ()), HOLE)
            for hostile in _sample(f"{path}:extra", list(HOSTILE), EXTRA_ARGUMENTS_PER_COMMAND):
                yield Case(
                    _case_id(path, "extra-argument", hostile.label),
                    _fill(slot, hostile.value),
                    True,
                    slot=slot,
                )
        for option in options:
            name = option.opts[0]
            if option.is_flag:
                for hostile in _sample(f"{path}:{name}", list(HOSTILE), FLAG_VALUES):
                    if isinstance(hostile.value, str):
                        argv = (*_argv(path, command, option, (f"{name}={hostile.value}",)), *tail)
                        yield Case(_case_id(path, name, hostile.label), argv, True)
                continue
            kind = _kind(path, option)
            relevant = [h for h in HOSTILE if h.tags & RELEVANT.get(kind, RELEVANT["text"])]
            others = [h for h in HOSTILE if h not in relevant]
            chosen = set(relevant) | set(_sample(f"{path}:{name}", others, OTHERS_PER_OPTION))
            slot = (*_argv(path, command, option, (name, HOLE)), *tail)
            yield from _value_cases(path, option, slot, [h for h in HOSTILE if h in chosen], long_running)


CASES = list(_cases())


def _params() -> Iterator[Any]:
    for case in CASES:
        marks = []
        if case.id in KNOWN_DEFECTS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[case.id]))
        yield pytest.param(case, id=case.id, marks=marks)


@dataclass
class Sandbox:
    root: Path
    template: Path  # a migrated, empty data dir, copied for each case

    def path(self, placeholder: Placeholder) -> str:
        return str(
            {
                "missing": self.root / "no-such-dir" / "no-such-file.jsonl",
                "directory": self.root / "a-directory",
                "binary": self.root / "binary.bin",
                "opml": self.root / "feeds.opml",
                "dataset": self.root / "dataset.jsonl",
            }[placeholder.name]
        )


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("cli-fuzz")
    (root / "a-directory").mkdir()
    (root / "binary.bin").write_bytes(bytes(range(256)) * 16)
    (root / "feeds.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>f</title></head><body>'
        '<outline type="rss" text="Example" xmlUrl="https://example.org/feed"/></body></opml>',
        encoding="utf-8",
    )
    (root / "dataset.jsonl").write_text(
        '{"id": "fuzz-1", "language": "en", "title": "Kazakhstan signs contract for Bayraktar TB2 drones", '
        '"text": "Kazakhstan signed a contract with Turkey for three Bayraktar TB2 drones.", '
        '"is_procurement": true, "events": []}\n',
        encoding="utf-8",
    )
    template = root / "template-data"
    db = Database(load_settings(data_dir=template).effective_database_url)
    db.close()
    yield Sandbox(root, template)


@pytest.fixture
def invoke(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Any:
    """Run an argv through the entry point, from tmp_path, each call in a fresh copy of the empty data dir."""
    monkeypatch.chdir(tmp_path)  # a relative output path lands here
    # Each command points logging at the runner's stream, closed after it: the next tests get back theirs.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    level = root.level
    request.addfinalizer(lambda: root.setLevel(level))
    structlog_config = structlog.get_config()
    request.addfinalizer(lambda: structlog.configure(**structlog_config))
    for name in LONG_RUNNING:
        command = armswatch_cli.cli.commands.get(name)
        if command is not None:
            monkeypatch.setattr(command, "callback", _refuse_to_run(name))
    calls = iter(range(1_000_000))

    def run(argv: tuple[Token, ...]) -> Result:
        data_dir = tmp_path / f"data-{next(calls)}"
        shutil.copytree(sandbox.template, data_dir)
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ARMSWATCH_")}
        env["ARMSWATCH_DATA_DIR"] = str(data_dir)
        args = [sandbox.path(t) if isinstance(t, Placeholder) else t for t in argv]
        return runner().invoke(Entry("armswatch"), args, env=env, catch_exceptions=True)

    return run


def _refuse_to_run(name: str) -> Any:
    def guard(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError(f"`armswatch {name}` would have started: click accepted the arguments")

    return guard


def _error_lines(stderr: str) -> list[str]:
    """stderr without click's usage preamble ("Usage: ...", "Try '...' for help.", a blank line)."""
    lines = stderr.splitlines()
    if lines and lines[0].startswith("Usage: "):
        lines = lines[1:]
        if lines and lines[0].startswith("Try '"):
            lines = lines[1:]
        if lines and not lines[0].strip():
            lines = lines[1:]
    return lines


def check(case: Case, result: Result) -> list[str]:
    """What is wrong with `result` for `case` (nothing: an empty list)."""
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"uncaught {type(result.exception).__name__}: {str(result.exception)[:300]}")
    if "Traceback (most recent call last)" in result.stdout + result.stderr:
        problems.append("a traceback was printed")
    if case.must_reject and result.exit_code == 0:
        problems.append("exit 0 on invalid input")
    if result.exit_code != 0 and not problems:
        lines = _error_lines(result.stderr)
        if len(lines) != 1 or not lines[0].startswith("Error: "):
            problems.append(f"exit {result.exit_code} with {len(lines)} error lines: {result.stderr[:500]!r}")
    if case.no_secret and SECRET in result.stdout + result.stderr:
        problems.append("a URL password was printed")
    return problems


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_arguments(case: Case, invoke: Any) -> None:
    """No traceback, one error line on a non-zero exit, and invalid input refused."""
    result = invoke(case.argv)
    problems = check(case, result)
    shown = [t if isinstance(t, Placeholder) else (t if len(t) < 60 else t[:40] + "...") for t in case.argv]
    assert not problems, f"argv {shown!r}: {problems}"


def test_every_command_is_fuzzed() -> None:
    """The walk found the commands DESIGN.md names, and every known defect is still a generated case."""
    paths = {case.id.split("|")[0] for case in CASES}
    for name in ("feeds add", "watch add", "events", "replay", "users add", "config show", "eval", "up"):
        assert name in paths
    assert not set(KNOWN_DEFECTS) - {case.id for case in CASES}


def test_random_arguments_with_hypothesis(invoke: Any) -> None:
    """Random text in each value slot: no crash, no traceback, one error line on a non-zero exit.

    Derandomized (a fixed seed), so a failure is the same on every run. Lone surrogates and line breaks
    are left to the deterministic cases above, where their known defects are marked; so is
    `eval --predictions`, whose random names would be written as files.
    """
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    slots = sorted(
        {c.slot for c in CASES if c.slot and c.slot[0] not in LONG_RUNNING and "--predictions" not in c.slot},
        key=repr,
    )
    assert slots
    alphabet = st.characters(
        exclude_categories=("Cs", "Zl", "Zp"), exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85"
    )

    @hypothesis.settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(slot=st.sampled_from(slots), value=st.text(alphabet, max_size=200))
    def run(slot: tuple[Token, ...], value: str) -> None:
        case = Case("random", _fill(slot, value), must_reject=False)
        problems = check(case, invoke(case.argv))
        assert not problems, (case.argv, problems)

    run()
