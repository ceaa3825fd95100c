"""Tests of the dev-set split (cluster-disjoint, fixed) and of the error breakdown behind `eval --errors`."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from services.classify.errors import article_errors, error_tables, format_tables
from services.classify.split import part_of, select
from services.cli.classify_cmd import eval_command
from tests.classify.conftest import DEV_SET


def _ev(buyer: str, system: str | None, stage: str, category: str = "uav") -> dict[str, Any]:
    return {"buyer": buyer, "buyer_iso": buyer, "system": system, "category": category, "stage": stage}


def test_split_is_cluster_disjoint_and_covers_every_language(dev_rows: list[dict[str, Any]]) -> None:
    """No cluster sits in both parts; both parts hold articles and events of every language with events."""
    develop, holdout = select(dev_rows, "develop"), select(dev_rows, "holdout")
    assert len(develop) + len(holdout) == len(dev_rows)
    assert not {r["cluster"] for r in develop} & {r["cluster"] for r in holdout}
    for part in (develop, holdout):
        assert len(part) >= len(dev_rows) // 3
        langs_with_events = {r["language"] for r in dev_rows if r["events"]}
        assert langs_with_events <= {r["language"] for r in part if r["events"]}


def test_split_is_a_fixed_function_of_the_cluster() -> None:
    """The same cluster always lands in the same part, whatever else the dataset holds."""
    assert part_of("kz-tb2") == part_of("kz-tb2")
    parts = {part_of(f"cluster-{i}") for i in range(50)}
    assert parts == {"develop", "holdout"}
    rows = [{"id": "a", "cluster": "kz-tb2"}, {"id": "b"}]
    assert select(rows, part_of("kz-tb2"))[0]["id"] == "a"


def test_errors_classify_each_kind_of_miss() -> None:
    """Right stage, wrong stage, wrong buyer, wrong system, missed and false positive are told apart."""
    gold = [
        _ev("KZ", "Bayraktar TB2", "contract"),
        _ev("PL", "K2", "approval", "armoured_vehicle"),
        _ev("RO", "Patriot", "contract", "air_defence"),
        _ev("EG", "Rafale", "delivery", "combat_aircraft"),
        _ev("GR", "FDI frigate", "contract", "naval_vessel"),
    ]
    pred = [
        _ev("KZ", "Bayraktar TB2", "contract"),
        _ev("PL", "K2", "contract", "armoured_vehicle"),
        _ev("BG", "Patriot", "contract", "air_defence"),
        _ev("EG", "F-16", "delivery", "combat_aircraft"),
        _ev("JP", "F-35A", "contract", "combat_aircraft"),
    ]
    out = article_errors(gold, pred)
    assert out["stage_right"] == 1
    assert dict(out["confusion"]) == {("contract", "contract"): 1, ("approval", "contract"): 1}
    assert (out["buyer_wrong"], out["system_wrong"], out["missed"], out["false_positive"]) == (1, 1, 1, 1)
    assert article_errors(gold, [])["no_prediction"] == len(gold)


def test_strict_matches_are_taken_before_stage_mismatches() -> None:
    """Two events of one deal (contract and delivery) predicted in either order are both right."""
    gold = [_ev("UA", "Bayraktar TB2", "delivery"), _ev("UA", "Bayraktar TB2", "contract")]
    pred = [_ev("UA", "Bayraktar TB2", "contract"), _ev("UA", "Bayraktar TB2", "delivery")]
    assert article_errors(gold, pred)["stage_right"] == 2


def test_error_tables_per_language_and_text_rendering() -> None:
    """Scopes add up per language; the text table has a confusion block and a row per language."""
    gold = {
        "1": {"language": "de", "events": [_ev("DE", "Puma", "contract", "armoured_vehicle")]},
        "2": {"language": "en", "events": [_ev("US", "F-35A", "approval", "combat_aircraft")]},
    }
    pred = {"1": {"events": []}, "2": {"events": [_ev("US", "F-35A", "contract", "combat_aircraft")]}}
    tables = error_tables(gold, pred)
    assert tables["lang:de"]["no_prediction"] == 1
    assert tables["all"]["confusion"] == {"approval": {"contract": 1}}
    lines = format_tables(tables)
    assert lines[0].split()[:2] == ["gold", "\\"]
    assert any(line.split()[0] == "de" for line in lines if line.strip())


def test_eval_split_and_errors_on_the_dev_set(dev_rows: list[dict[str, Any]]) -> None:
    """`eval --split holdout --errors --json` scores only that part and adds the breakdown."""
    result = CliRunner().invoke(eval_command, [str(DEV_SET), "--split", "holdout", "--errors", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["articles"] == len(select(dev_rows, "holdout"))
    assert figures["split"] == "holdout"
    errors = figures["errors"]["all"]
    assert errors["gold"] == sum(len(r["events"]) for r in select(dev_rows, "holdout"))
    matched = sum(n for row in errors["confusion"].values() for n in row.values())
    assert (
        matched + errors["no_prediction"] + errors["buyer_wrong"] + errors["system_wrong"] + errors["missed"]
        == errors["gold"]
    )


def test_eval_rejects_an_unknown_split() -> None:
    """A split name that does not exist is a usage error, not an empty score."""
    result = CliRunner().invoke(eval_command, [str(DEV_SET), "--split", "train"])
    assert result.exit_code == 2
