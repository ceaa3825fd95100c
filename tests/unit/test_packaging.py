"""The wheel installs like any other package: schemas and data inside it, commands working from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.classify.conftest import DEV_SET
from tests.support.stack import armswatch_env

REPO = Path(__file__).resolve().parents[2]
OWN_ARTICLE = {
    "id": "own",
    "title": "Kazakhstan weighs Turkish drones",
    "language": "en",
    "text": "Kazakhstan is considering the purchase of Bayraktar TB2 drones from Turkey.",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the checkout, offline (no build isolation, so no download)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return next(out.glob("armswatch-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel; its dependencies come from this environment, not the network."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies only: this environment's site-packages holds no copy of `services` (editable install).
    (Path(site) / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = armswatch_env(data_dir=str(cwd / "data"))
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(env_dir / "bin" / "armswatch"), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wheel_carries_schemas_data_and_migrations(wheel: Path) -> None:
    """Every file the services read at run time is inside the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in ("article", "procurement_event", "watchlist", "alert", "delivery", "dead_letter"):
        assert f"services/schemas/{schema}.schema.json" in names
    assert "services/classify/data/systems.jsonl" in names
    assert "services/store/migrations/env.py" in names
    assert any(n.startswith("services/store/migrations/versions/") for n in names)
    assert any(n.startswith("services/demo/feeds/") and n.endswith(".rss") for n in names)


def test_installed_commands_work_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    """`config show` and `classify` run from another directory, against the installed files only."""
    shown = _run(installed, tmp_path, "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert f"ARMSWATCH_DATA_DIR={tmp_path / 'data'}" in shown.stdout
    seed = OWN_ARTICLE
    if DEV_SET.exists():
        with DEV_SET.open(encoding="utf-8") as fh:
            seed = next(r for r in map(json.loads, fh) if r["id"] == "seed")
    article = {k: seed.get(k) for k in ("id", "title", "text", "language")}
    (tmp_path / "seed.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    result = _run(installed, tmp_path, "classify", "seed.jsonl")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["is_procurement"] is True
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import services; print(services.__file__)"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in where and "site-packages" in where
