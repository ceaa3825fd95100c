"""Classifier backends: entry-point loading, and the llm backend against a local chat-completions server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from structlog.testing import capture_logs

from services.classify import CLASSIFIER_VERSION, classify_article
from services.classify.backends import Classifier, available_classifiers, load_classifier
from services.classify.backends.llm import LlmClassifier, find_evidence, system_prompt
from services.classify.backends.mock import MockClassifier
from services.classify.backends.rules import RulesClassifier
from services.classify.types import CATEGORIES, STAGES
from services.config import load_settings
from services.errors import ConfigError
from tests.support.chat_server import ChatServer, Reply, running_chat_server

API_KEY = "sk-test-7f3a9c1e-never-log-me"

# The project's own words (facts may be real): a contract sentence and a delivery sentence.
CONTRACT = (
    "Norway's defence materiel agency has signed a contract with KNDS for 18 additional Leopard 2A8 tanks."
)
DELIVERY = "The first vehicles of the earlier batch arrived in Oslo last month."
ARTICLE = {
    "id": "own-1",
    "title": "Norway orders more tanks",
    "language": "en",
    "text": f"{CONTRACT} {DELIVERY}",
}

GOOD_EVENT = {
    "buyer": "Norway",
    "buyer_iso": "NO",
    "seller": "KNDS",
    "seller_iso": "NL",
    "system": "Leopard 2A8",
    "category": "armoured_vehicle",
    "quantity": 18,
    "quantity_approx": False,
    "stage": "contract",
    "value": None,
    "evidence": CONTRACT,
}


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A running fake OpenAI-compatible endpoint; its base URL ends in ``/v1``."""
    with running_chat_server() as server:
        yield server


def _llm(server: ChatServer, **overrides: Any) -> LlmClassifier:
    values: dict[str, Any] = {
        "classifier": "llm",
        "llm_url": server.base_url,
        "llm_api_key": API_KEY,
        "llm_model": "test-model",
        "llm_timeout": 5.0,
    }
    values.update(overrides)
    classifier = load_classifier(load_settings(**values))
    assert isinstance(classifier, LlmClassifier)
    return classifier


def _no_secret(logs: Sequence[Mapping[str, Any]]) -> None:
    assert API_KEY not in repr(logs)
    assert API_KEY[3:15] not in repr(logs)


# -- entry points --------------------------------------------------------------------------


def test_builtin_backends_are_registered_entry_points() -> None:
    """Both built-ins are found in the armswatch.classifiers group (needs `pip install -e .`)."""
    assert {"rules", "llm"} <= set(available_classifiers())


def test_rules_is_the_default_backend_and_wraps_classify_article() -> None:
    """The default settings load the rules backend, versioned CLASSIFIER_VERSION."""
    classifier = load_classifier(load_settings())
    assert isinstance(classifier, RulesClassifier)
    assert isinstance(classifier, Classifier)
    assert classifier.name == "rules"
    assert classifier.version == CLASSIFIER_VERSION
    assert classifier.classify(ARTICLE) == classify_article(dict(ARTICLE))


def test_unknown_backend_is_a_config_error_naming_the_variable_and_known_names() -> None:
    """One line naming ARMSWATCH_CLASSIFIER, the bad value and the installed names."""
    with pytest.raises(ConfigError) as info:
        load_classifier(load_settings(classifier="oracle"))
    message = str(info.value)
    assert "ARMSWATCH_CLASSIFIER" in message and "'oracle'" in message
    assert "llm" in message and "rules" in message
    assert "\n" not in message


@pytest.mark.parametrize("url", [None, "ftp://example.org/v1"])
def test_llm_backend_needs_an_http_url(url: str | None) -> None:
    """ARMSWATCH_CLASSIFIER=llm without a usable ARMSWATCH_LLM_URL fails at load time."""
    with pytest.raises(ConfigError, match="ARMSWATCH_LLM_URL"):
        load_classifier(load_settings(classifier="llm", llm_url=url))


def test_mock_classifier_records_and_answers() -> None:
    """The test double satisfies the protocol and returns its handler's answer."""
    mock = MockClassifier(lambda a: {"id": a.get("id"), "is_procurement": True, "events": []})
    assert isinstance(mock, Classifier)
    assert mock.classify(ARTICLE)["is_procurement"] is True
    assert mock.seen == [ARTICLE]


# -- llm backend ------------------------------------------------------------------------------


def test_prompt_states_the_vocabularies_and_the_output_shape() -> None:
    """The prompt file names every stage and category, the JSON keys and asks for JSON."""
    prompt = system_prompt()
    for word in (*STAGES, *CATEGORIES):
        assert f"`{word}`" in prompt, word
    for key in GOOD_EVENT:
        assert f'"{key}"' in prompt, key
    assert "JSON" in prompt


def test_llm_request_is_an_openai_chat_completion(chat_server: ChatServer) -> None:
    """Path, model, bearer key, temperature, response_format and the article in the user turn."""
    chat_server.answer_events([GOOD_EVENT])
    classifier = _llm(chat_server)
    classifier.classify(ARTICLE)
    assert len(chat_server.requests) == 1
    seen = chat_server.requests[0]
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {API_KEY}"
    assert seen.headers["content-type"] == "application/json"
    body = seen.body
    assert body["model"] == "test-model"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system == {"role": "system", "content": system_prompt()}
    assert user["role"] == "user"
    assert ARTICLE["text"] in user["content"]
    assert ARTICLE["title"] in user["content"]
    assert "Language: en" in user["content"]


def test_llm_request_without_a_key_sends_no_authorization(chat_server: ChatServer) -> None:
    """No ARMSWATCH_LLM_API_KEY: no Authorization header (local servers)."""
    chat_server.answer_events([])
    _llm(chat_server, llm_api_key=None).classify(ARTICLE)
    assert "authorization" not in chat_server.requests[0].headers


def test_llm_version_names_the_model_and_the_rules_version(chat_server: ChatServer) -> None:
    """Replay can tell llm events from rules events, and one model from another."""
    assert _llm(chat_server).version == f"llm-test-model+{CLASSIFIER_VERSION}"


def test_good_answer_gives_its_valid_events_and_drops_the_rest(chat_server: ChatServer) -> None:
    """Valid events pass in the rules' shape; each invalid one is dropped with a debug line saying why."""
    delivery = {
        **GOOD_EVENT,
        "stage": "delivery",
        "quantity": None,
        "evidence": DELIVERY,
        "confidence": 0.9,
    }
    bad = [
        {**GOOD_EVENT, "stage": "signed"},
        {**GOOD_EVENT, "category": "tank"},
        {**GOOD_EVENT, "buyer": "  "},
        {**GOOD_EVENT, "buyer_iso": "Norway"},
        {**GOOD_EVENT, "seller_iso": "XX"},
        {**GOOD_EVENT, "evidence": "Norway has ordered 18 Leopard tanks."},
        {**GOOD_EVENT, "quantity": "18"},
        {key: value for key, value in GOOD_EVENT.items() if key != "category"},
        "not an event",
    ]
    chat_server.answer_events([GOOD_EVENT, *bad, delivery])
    with capture_logs() as logs:
        result = _llm(chat_server).classify(ARTICLE)
    assert result["id"] == "own-1"
    assert result["is_procurement"] is True
    assert result["events"] == [
        {**GOOD_EVENT, "confidence": 0.6},
        {**delivery, "quantity_approx": False, "confidence": 0.9},
    ]
    dropped = [entry for entry in logs if entry["event"] == "llm_event_dropped"]
    assert [entry["index"] for entry in dropped] == list(range(1, len(bad) + 1))
    assert all(entry["log_level"] == "debug" for entry in dropped)
    reasons = " | ".join(entry["why"] for entry in dropped)
    assert "stage" in reasons and "category" in reasons and "evidence" in reasons
    assert not [entry for entry in logs if entry["event"] == "llm_fallback"]
    _no_secret(logs)


def test_evidence_with_other_whitespace_is_mapped_back_to_the_verbatim_sentence() -> None:
    """A quote whose line breaks became spaces still matches, and the text's own span is kept."""
    text = "Before.\nThe navy  received\nfour patrol boats. After."
    assert (
        find_evidence("The navy received four patrol boats.", text)
        == "The navy  received\nfour patrol boats."
    )
    assert find_evidence("The navy received five patrol boats.", text) is None


def test_answer_in_a_code_fence_with_lowercase_iso_is_accepted(chat_server: ChatServer) -> None:
    """Some compatible servers wrap the JSON in a fence; ISO codes are upper-cased."""
    chat_server.answer("```json\n" + json.dumps({"events": [{**GOOD_EVENT, "buyer_iso": "no"}]}) + "\n```")
    result = _llm(chat_server).classify(ARTICLE)
    assert [event["buyer_iso"] for event in result["events"]] == ["NO"]


def test_answer_without_events_is_a_negative_not_a_fallback(chat_server: ChatServer) -> None:
    """`{"is_procurement": false, "events": []}` is taken as the model's verdict."""
    chat_server.answer_events([], is_procurement=False)
    with capture_logs() as logs:
        result = _llm(chat_server).classify(ARTICLE)
    assert result == {"id": "own-1", "is_procurement": False, "events": []}
    assert not logs


def _envelope(content: Any) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()


FAILURES = {
    "http-500": (Reply(status=500, body=b'{"error": "boom"}'), "http_status"),
    "http-401": (Reply(status=401, body=b'{"error": "bad key"}'), "http_status"),
    "garbage-body": (Reply(body=b"<html>proxy error</html>"), "bad_answer"),
    "no-choices": (Reply(body=b'{"object": "error"}'), "bad_answer"),
    "content-not-json": (Reply(body=_envelope("Sure! Norway bought tanks.")), "bad_answer"),
    "content-a-list": (Reply(body=_envelope("[]")), "bad_answer"),
    "content-null": (Reply(body=_envelope(None)), "bad_answer"),
    "all-events-invalid": (
        Reply(body=_envelope(json.dumps({"events": [{**GOOD_EVENT, "evidence": "made up"}]}))),
        "no_valid_events",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failures_fall_back_to_the_rules_with_one_warning(chat_server: ChatServer, case: str) -> None:
    """HTTP errors, unusable answers and all-invalid events give the rules' output and one warning."""
    reply, reason = FAILURES[case]
    chat_server.reply = reply
    with capture_logs() as logs:
        result = _llm(chat_server).classify(ARTICLE)
    assert result == RulesClassifier().classify(ARTICLE)
    assert result["events"], "the rules find the contract, so the fallback is visible"
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning["event"] == "llm_fallback"
    assert warning["reason"] == reason
    assert warning["article_id"] == "own-1"
    assert warning["model"] == "test-model"
    assert warning["url"] == f"{chat_server.base_url}/chat/completions"
    _no_secret(logs)


def test_slow_endpoint_times_out_and_falls_back(chat_server: ChatServer) -> None:
    """A server slower than ARMSWATCH_LLM_TIMEOUT: the rules' output, a timeout warning, no long wait."""
    chat_server.answer_events([GOOD_EVENT])
    chat_server.reply.delay = 10.0
    with capture_logs() as logs:
        result = _llm(chat_server, llm_timeout=0.3).classify(ARTICLE)
    assert result == RulesClassifier().classify(ARTICLE)
    [warning] = [entry for entry in logs if entry["log_level"] == "warning"]
    assert warning["event"] == "llm_fallback" and warning["reason"] == "timeout"
    assert warning["elapsed"] < 5
    _no_secret(logs)


def test_unreachable_endpoint_falls_back(chat_server: ChatServer) -> None:
    """Connection refused is an HTTP error like the others; credentials in the URL are not logged."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://user:{API_KEY}@127.0.0.1:{port}/v1"
    with capture_logs() as logs:
        result = _llm(chat_server, llm_url=url).classify(ARTICLE)
    assert result == RulesClassifier().classify(ARTICLE)
    [warning] = logs
    assert warning["reason"] == "http_error"
    assert warning["url"] == f"http://127.0.0.1:{port}/v1/chat/completions"
    _no_secret(logs)
    assert API_KEY not in repr(_llm(chat_server, llm_url=url))


def test_article_without_text_goes_to_the_rules_without_a_request(chat_server: ChatServer) -> None:
    """Nothing to quote evidence from: no request, no warning."""
    article = {"id": "empty", "title": "Tanks", "text": "  "}
    with capture_logs() as logs:
        result = _llm(chat_server).classify(article)
    assert result == RulesClassifier().classify(article)
    assert not chat_server.requests and not logs
