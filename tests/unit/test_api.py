"""The HTTP API: tokens, the one error shape, each user's own watchlists, shared deals."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bus import OutboxBus, Publisher
from services.config import load_settings
from services.records import now_iso
from services.store.db import Database
from services.store.models import User


@pytest.fixture
def api(tmp_path):
    """A client on a fresh SQLite store with users alice and bob."""
    settings = load_settings(data_dir=tmp_path)
    db = Database(settings.effective_database_url)
    with db.session() as session:
        for name in ("alice", "bob"):
            session.add(
                User(
                    name=name,
                    token_hash=hashlib.sha256(f"tok-{name}".encode()).hexdigest(),
                    created_at=now_iso(),
                )
            )
    with TestClient(create_app(Publisher(settings, db, OutboxBus()))) as client:
        yield client
    db.close()


def _auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-{name}"}


def test_healthz_needs_no_token(api):
    """Health is open."""
    assert api.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}])
def test_everything_else_needs_a_valid_token(api, headers):
    """401 in the one error shape."""
    response = api.get("/deals", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"error"} and response.json()["error"]["code"] == "unauthorized"


def test_bad_watchlist_is_a_422_naming_the_problem(api):
    """A bad stage is refused with a readable message."""
    response = api.post("/watchlists", json={"name": "x", "stage": "sometime"}, headers=_auth("alice"))
    assert response.status_code == 422
    assert "--stage 'sometime'" in response.json()["error"]["message"]
    missing = api.post("/watchlists", json={}, headers=_auth("alice"))
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "name"


def test_users_see_and_change_only_their_own_watchlists(api):
    """Bob cannot see or delete Alice's watchlist; notify URLs come back redacted."""
    created = api.post(
        "/watchlists",
        json={"name": "KZ UAV", "buyers": ["KZ"], "notify": ["tgram://123456789:AAHsecretsecretsecret/42"]},
        headers=_auth("alice"),
    )
    assert created.status_code == 201, created.text
    wid = created.json()["id"]
    assert "AAHsecretsecretsecret" not in created.text
    assert [w["id"] for w in api.get("/watchlists", headers=_auth("alice")).json()] == [wid]
    assert api.get("/watchlists", headers=_auth("bob")).json() == []
    assert api.get(f"/watchlists/{wid}", headers=_auth("bob")).status_code == 404
    assert api.delete(f"/watchlists/{wid}", headers=_auth("bob")).status_code == 404
    assert api.delete(f"/watchlists/{wid}", headers=_auth("alice")).status_code == 204
    assert api.get("/watchlists", headers=_auth("alice")).json() == []


def test_openapi_is_served(api):
    """The OpenAPI document lists the routes."""
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/deals", "/events", "/watchlists"} <= set(paths)


def test_watchlist_test_and_backfill_endpoints(api):
    """/test reports each channel's outcome (print:// succeeds); /backfill answers with the alerts it made."""
    created = api.post(
        "/watchlists", json={"name": "all", "notify": ["print://"]}, headers=_auth("alice")
    ).json()
    tested = api.post(f"/watchlists/{created['id']}/test", headers=_auth("alice"))
    assert tested.status_code == 200, tested.text
    assert tested.json() == [{"channel": "print://", "outcome": "sent", "attempts": 1, "error": None}]
    filled = api.post(f"/watchlists/{created['id']}/backfill?window=7d", headers=_auth("alice"))
    assert filled.status_code == 200 and filled.json() == {"window": "7d", "alerts": []}
    bad = api.post(f"/watchlists/{created['id']}/backfill?window=forever", headers=_auth("alice"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "window"
    too_long = api.post(f"/watchlists/{created['id']}/backfill?window=99999d", headers=_auth("alice"))
    assert too_long.status_code == 422 and "longer than" in too_long.json()["error"]["message"]
    assert api.post(f"/watchlists/{created['id']}/test", headers=_auth("bob")).status_code == 404


def test_metrics_need_a_token_and_report_the_store(api):
    """/metrics is Prometheus text with the read model's gauges; no token, no metrics."""
    assert api.get("/metrics").status_code == 401
    response = api.get("/metrics", headers=_auth("alice"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "armswatch_articles 0.0" in response.text and "armswatch_alerts_pending 0.0" in response.text
    assert "# TYPE armswatch_records_produced_total counter" in response.text


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "field"),
    [
        ("post", "/watchlists", {"json": {"name": "x" * 201, "buyer": ["KZ"]}}, 422, None),
        ("post", "/watchlists", {"content": '{"name": "\\ud800", "buyer": ["KZ"]}'}, 422, None),
        ("get", "/deals?limit=-1", {}, 422, "limit"),
        ("get", "/events?limit=100000", {}, 422, "limit"),
        ("post", "/websub/49808072523502053228544", {"content": b"x"}, 422, "feed_id"),
    ],
    ids=["name-201", "lone-surrogate", "negative-limit", "huge-limit", "huge-feed-id"],
)
def test_hostile_input_is_a_4xx_in_the_one_shape(api, method, path, kwargs, status, field):
    """Inputs that used to answer a plain-text 500 are refused in the error shape, and nothing is stored."""
    headers = {**_auth("alice"), "content-type": "application/json"}
    response = getattr(api, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "invalid"
    if field is not None:
        assert body["error"]["field"] == field
    assert api.get("/watchlists", headers=_auth("alice")).json() == []


def test_method_not_allowed_names_the_allowed_ones(api):
    """A 405 carries Allow, as HTTP wants."""
    response = api.put("/deals", headers=_auth("alice"))
    assert response.status_code == 405 and "GET" in response.headers["allow"]


def test_bodies_are_bounded_and_tokens_checked_before_reading(api):
    """A large body is 413 whatever its route; without a token it is 401 before any byte is read."""
    big = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    anonymous = api.post("/watchlists", content=big, headers={"content-type": "application/json"})
    assert anonymous.status_code in (401, 413) and anonymous.json()["error"]["code"] in (
        "unauthorized",
        "too_large",
    )
    small_anonymous = api.post("/watchlists", content=b"{}", headers={"content-type": "application/json"})
    assert small_anonymous.status_code == 401
    signed_in = api.post(
        "/watchlists", content=big, headers={**_auth("alice"), "content-type": "application/json"}
    )
    assert signed_in.status_code == 413 and signed_in.json()["error"]["code"] == "too_large"

    def chunks():
        for _ in range(40):
            yield b" " * 65536

    streamed = api.post(
        "/watchlists", content=chunks(), headers={**_auth("alice"), "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert api.get("/watchlists", headers=_auth("alice")).json() == []
