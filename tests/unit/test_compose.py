"""docker-compose.yml follows the Compose Specification and runs only commands and settings armswatch has."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from jsonschema import Draft201909Validator

from services.config import ENV_PREFIX, SECRET_SETTINGS, Settings
from services.runtime import ROLES

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_spec():
    """No error from the Compose Specification's JSON Schema."""
    schema = json.loads((ROOT / "tests/data/compose/compose-spec.schema.json").read_text(encoding="utf-8"))
    errors = sorted(Draft201909Validator(schema).iter_errors(_compose()), key=str)
    assert not errors, [e.message for e in errors]


def test_every_armswatch_container_runs_one_worker_with_known_settings():
    """Each armswatch container runs `worker ROLE`; every role has a container; every variable is a setting."""
    services = _compose()["services"]
    roles = set()
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    known |= {f"{ENV_PREFIX}{name.upper()}_FILE" for name in SECRET_SETTINGS}
    for name, service in services.items():
        if service.get("image", "").startswith("armswatch"):
            command = service["command"]
            assert command[0] == "worker" and command[1] in ROLES, name
            roles.add(command[1])
            unknown = {k for k in service["environment"] if k.startswith(ENV_PREFIX)} - known
            assert not unknown, f"{name}: {unknown}"
    assert roles == set(ROLES)
