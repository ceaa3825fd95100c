"""`armswatch classify` and `armswatch eval`: run the configured classifier backend offline on JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from services.classify.backends import Classifier, load_classifier
from services.classify.errors import error_tables, format_tables
from services.classify.evaluate import score
from services.classify.split import PARTS, select
from services.classify.types import article_input
from services.cli._context import Context, pass_context


def _json_objects(fh: IO[str], name: str) -> Iterator[dict[str, Any]]:
    """Yield the JSON object of each non-blank line; a line that is not one is a one-line error naming it."""
    lines = enumerate(fh, 1)
    while True:
        try:
            n, line = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise click.ClickException(
                f"{name}: not UTF-8 text (byte {exc.start} of a line): expected JSON lines"
            ) from exc
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{name}:{n}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise click.ClickException(f"{name}:{n}: expected a JSON object")
        yield row


def _classifier(ctx: Context) -> Classifier:
    return load_classifier(ctx.settings)


@click.command("classify")
@click.argument("file", default="-", type=click.File("r", encoding="utf-8"))
@pass_context
def classify_command(ctx: Context, file: IO[str]) -> None:
    """Classify Article JSON lines from FILE (or - for stdin); print one classification line each."""
    classifier = _classifier(ctx)
    for article in _json_objects(file, getattr(file, "name", "-")):
        click.echo(json.dumps(classifier.classify(article_input(article)), ensure_ascii=False))


def _fmt(cell: dict[str, Any]) -> str:
    if cell["tp"] + cell["fp"] + cell["fn"] == 0:
        return "-     -     -    "  # nothing to find and nothing found (negative-only language)
    return f"{cell['p']:.3f} {cell['r']:.3f} {cell['f1']:.3f}"


@click.command("eval")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the predictions as JSON lines to this file (for ../shared/tools/score.py).",
)
@click.option(
    "--split",
    "part",
    type=click.Choice(PARTS),
    help="Score only one part of the fixed cluster-disjoint split: develop on one, only score the other.",
)
@click.option(
    "--errors",
    "with_errors",
    is_flag=True,
    help="Also break errors down: stage confusion on buyer+system matches; buyer-wrong, system-wrong, "
    "no-prediction, missed and false-positive counts per language.",
)
@pass_context
def eval_command(
    ctx: Context,
    dataset: Path,
    as_json: bool,
    predictions: Path | None,
    part: str | None,
    with_errors: bool,
) -> None:
    """Score the classifier on labelled DATASET.jsonl: article and event (strict, loose) P/R/F1 per language."""
    classifier = _classifier(ctx)
    with dataset.open(encoding="utf-8") as fh:
        gold_rows = list(_json_objects(fh, str(dataset)))
    for n, r in enumerate(gold_rows, 1):
        if "id" not in r:
            raise click.ClickException(f"{dataset}: article {n} has no id")
    if part is not None:
        gold_rows = select(gold_rows, part)  # type: ignore[arg-type]
    gold = {str(r["id"]): r for r in gold_rows}
    pred: dict[str, dict[str, Any]] = {}
    for r in gold_rows:
        article = article_input({k: r.get(k) for k in ("id", "title", "text", "language", "url")})
        pred[str(r["id"])] = dict(classifier.classify(article))
    if predictions is not None:
        with predictions.open("w", encoding="utf-8") as out:
            for p in pred.values():
                out.write(json.dumps(p, ensure_ascii=False) + "\n")
    figures = score(gold, pred)
    figures["classifier_version"] = classifier.version
    if part is not None:
        figures["split"] = part
    errors = error_tables(gold, pred) if with_errors else None
    if errors is not None:
        figures["errors"] = errors
    if as_json:
        click.echo(json.dumps(figures))
        return
    scope = f", {part} part" if part else ""
    click.echo(f"classifier {classifier.version} on {dataset} ({figures['articles']} articles{scope})")
    click.echo(f"{'scope':10} {'article P/R/F1':>20} {'event strict P/R/F1':>22} {'event loose P/R/F1':>22}")
    keys = [
        "all",
        "en",
        "non-en",
        *sorted(
            k[len("article_") :] for k in figures if k.startswith("article_lang:") and k != "article_lang:en"
        ),
    ]
    for key in keys:
        if f"article_{key}" not in figures:
            continue
        click.echo(
            f"{key.removeprefix('lang:'):10} {_fmt(figures[f'article_{key}']):>20} "
            f"{_fmt(figures[f'event_{key}']):>22} {_fmt(figures[f'event_loose_{key}']):>22}"
        )
    click.echo("")
    for name in ("article", "event", "event_loose"):
        for key in ("all", "en", "non-en"):
            if f"{name}_{key}" in figures:
                click.echo(f"{name + '_' + key:24} {figures[f'{name}_{key}']}")
    if errors is not None:
        click.echo("")
        for line in format_tables(errors):
            click.echo(line)


__all__ = ["classify_command", "eval_command"]

if __name__ == "__main__":  # python -m services.cli.classify_cmd eval FILE
    group = click.Group(commands={"classify": classify_command, "eval": eval_command})
    group(sys.argv[1:])
