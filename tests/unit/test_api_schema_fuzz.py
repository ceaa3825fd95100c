"""Schemathesis over /openapi.json: every operation, fed schema-valid and schema-breaking requests, answers
as its OpenAPI document says (status codes, content types, bodies), never with a 5xx.

Every check runs but the one that expects every schema-valid request to be accepted: countries are
ISO codes or names in any supported language, which a schema cannot list, so an unknown country is a
documented 422 that the schema allows to be sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from services.api.app import create_app  # noqa: E402
from services.bus import OutboxBus, Publisher  # noqa: E402
from services.config import load_settings  # noqa: E402
from services.records import now_iso  # noqa: E402
from services.store.db import Database  # noqa: E402
from services.store.models import User  # noqa: E402

TOKEN = "tok-fuzz"


@pytest.fixture
def api_schema(tmp_path: Any) -> Iterator[Any]:
    conf = load_settings(data_dir=tmp_path)
    db = Database(conf.effective_database_url)
    with db.session() as session:
        session.add(
            User(name="fuzz", token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(), created_at=now_iso())
        )
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(Publisher(conf, db, OutboxBus())))
    db.close()


def test_every_operation_answers_as_documented(api_schema: Any) -> None:
    """No 5xx, and every status, content type and body is one the OpenAPI document declares."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=[positive_data_acceptance]
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # each operation reports on its own
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
