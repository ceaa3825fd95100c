"""The optional ``llm`` classifier backend: an OpenAI-compatible chat endpoint, with the rules as fallback."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from babel import Locale

from services.classify.backends.rules import RulesClassifier
from services.classify.types import CATEGORIES, STAGES, ArticleInput, ResultDict
from services.errors import ConfigError
from services.logs import get_logger
from services.record_types import ExtractedEvent
from services.records import QUANTITY_MAX

if TYPE_CHECKING:
    from services.config import Settings

log = get_logger("classify.llm")

#: Confidence given to an LLM event that states none (the rules' scores run from about 0.3 to 0.95).
DEFAULT_CONFIDENCE = 0.6
_ISO2 = re.compile(r"^[A-Z]{2}$")
_OPTIONAL_STR = ("buyer_iso", "seller", "seller_iso", "system", "value")


class InvalidAnswer(ValueError):
    """The endpoint's answer is not the JSON object the prompt asks for."""


class InvalidEvent(ValueError):
    """One event of the answer breaks the output contract (the message says why)."""


@cache
def system_prompt() -> str:
    """The system prompt, read once from ``services/classify/data/llm_prompt.md``."""
    return files("services.classify.data").joinpath("llm_prompt.md").read_text(encoding="utf-8")


@cache
def _territories() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if _ISO2.match(code) and code != "ZZ")


def safe_url(url: str) -> str:
    """The URL as it may be logged: no user, password, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def user_message(article: ArticleInput) -> str:
    """The user turn: the article's language, title and text."""
    language = article.get("language") or "unknown"
    title = article.get("title") or ""
    text = article.get("text") or ""
    return f"Language: {language}\nTitle: {title}\n\nText:\n{text}"


def _message_content(body: Any) -> str:
    """The assistant's content in an OpenAI chat-completions response body."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise InvalidAnswer("no choices[0].message.content in the response") from exc
    if not isinstance(content, str):
        raise InvalidAnswer("message content is not a string")
    return content


def _strip_fences(content: str) -> str:
    """The content without a surrounding Markdown code fence, which some models add anyway."""
    text = content.strip()
    match = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    return match.group(1) if match else text


def parse_answer(content: str) -> list[Any]:
    """The raw ``events`` list of the model's JSON answer.

    Raises:
        InvalidAnswer: not a JSON object with an ``events`` list.
    """
    try:
        answer = json.loads(_strip_fences(content))
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"answer is not JSON: {exc.msg} at {exc.pos}") from exc
    if not isinstance(answer, dict):
        raise InvalidAnswer("answer is not a JSON object")
    events = answer.get("events")
    if not isinstance(events, list):
        raise InvalidAnswer("answer has no events list")
    return events


def find_evidence(evidence: str, text: str) -> str | None:
    """The verbatim span of ``text`` that ``evidence`` quotes (whitespace runs may differ), or None."""
    if evidence in text:
        return evidence
    words = evidence.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return match.group(0) if match else None


def _iso(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in _territories():
        raise InvalidEvent(f"{key} {value!r} is not an ISO 3166-1 alpha-2 code")
    return value.upper()


def _optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(f"{key} is not a string or null")
    return value.strip() or None


def validate_event(raw: Any, text: str) -> ExtractedEvent:
    """One event of the answer checked and put in the wire shape of ``classify_article``.

    Raises:
        InvalidEvent: a required field is missing, a value is out of its vocabulary or
            type, or the evidence is not a verbatim part of ``text``.
    """
    if not isinstance(raw, dict):
        raise InvalidEvent("event is not an object")
    missing = [k for k in ("buyer", "stage", "category", "evidence") if raw.get(k) is None]
    if missing:
        raise InvalidEvent(f"missing {', '.join(missing)}")
    buyer = raw["buyer"]
    if not isinstance(buyer, str) or not buyer.strip():
        raise InvalidEvent("buyer is empty")
    if raw["stage"] not in STAGES:
        raise InvalidEvent(f"unknown stage {raw['stage']!r}")
    if raw["category"] not in CATEGORIES:
        raise InvalidEvent(f"unknown category {raw['category']!r}")
    quantity = raw.get("quantity")
    if quantity is not None and (
        isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= QUANTITY_MAX
    ):
        raise InvalidEvent(f"quantity {quantity!r} is not a whole number up to {QUANTITY_MAX}")
    approx = raw.get("quantity_approx", False)
    if not isinstance(approx, bool):
        raise InvalidEvent("quantity_approx is not a boolean")
    confidence = raw.get("confidence", DEFAULT_CONFIDENCE)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise InvalidEvent("confidence is not a number in [0, 1]")
    evidence_raw = raw["evidence"]
    if not isinstance(evidence_raw, str):
        raise InvalidEvent("evidence is not a string")
    evidence = find_evidence(evidence_raw.strip(), text)
    if evidence is None:
        raise InvalidEvent("evidence is not a verbatim part of the article text")
    optional = {key: _optional_str(raw, key) for key in _OPTIONAL_STR}
    return {
        "buyer": buyer.strip(),
        "buyer_iso": _iso(optional, "buyer_iso"),
        "seller": optional["seller"],
        "seller_iso": _iso(optional, "seller_iso"),
        "system": optional["system"],
        "category": raw["category"],
        "quantity": quantity,
        "quantity_approx": approx and quantity is not None,
        "stage": raw["stage"],
        "value": optional["value"],
        "evidence": evidence,
        "confidence": float(confidence),
    }


class LlmClassifier:
    """Classify through ``{llm_url}/chat/completions``; any failure gives the rules' output.

    Failures that fall back (one ``llm_fallback`` warning each): HTTP errors and
    timeouts, a body that is not the JSON object asked for, and an answer whose events
    are all invalid. Invalid events are dropped one by one (``llm_event_dropped`` debug).
    """

    name = "llm"

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        """Read the endpoint, key, model and timeout from the settings.

        Raises:
            ConfigError: ``llm_url`` is not set or not an http(s) URL.
        """
        if not settings.llm_url:
            raise ConfigError("config: ARMSWATCH_LLM_URL is required by ARMSWATCH_CLASSIFIER='llm'")
        self.rules = RulesClassifier()
        self.model = settings.llm_model
        self.version = f"llm-{self.model}+{self.rules.version}"
        self.url = settings.llm_url.rstrip("/") + "/chat/completions"
        try:
            scheme = httpx.URL(self.url).scheme
        except httpx.InvalidURL:
            raise ConfigError("config: ARMSWATCH_LLM_URL is not a valid URL") from None
        if scheme not in ("http", "https"):
            raise ConfigError("config: ARMSWATCH_LLM_URL must start with http:// or https://")
        self.timeout = settings.llm_timeout
        self.prompt = system_prompt()  # read now: a missing data file fails at start-up, not per article
        self._api_key = settings.llm_api_key
        self._transport = transport

    def __repr__(self) -> str:
        return f"LlmClassifier(url={safe_url(self.url)!r}, model={self.model!r})"

    def request_body(self, article: ArticleInput) -> dict[str, object]:
        """The chat-completions request for one article."""
        return {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": self.prompt},
                {"role": "user", "content": user_message(article)},
            ],
        }

    def _post(self, body: dict[str, object]) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
            response = client.post(self.url, json=body, headers=headers)
            response.raise_for_status()
            try:
                return response.json()
            except ValueError as exc:
                raise InvalidAnswer("response body is not JSON") from exc

    def _fallback(self, article: ArticleInput, reason: str, started: float, **details: Any) -> ResultDict:
        log.warning(
            "llm_fallback",
            reason=reason,
            article_id=article.get("id"),
            url=safe_url(self.url),
            model=self.model,
            elapsed=round(time.monotonic() - started, 3),
            **details,
        )
        return self.rules.classify(article)

    def classify(self, article: ArticleInput) -> ResultDict:
        """Classify one article with the model, or with the rules when the model fails."""
        text = article.get("text") or ""
        if not text.strip():
            return self.rules.classify(article)
        started = time.monotonic()
        try:
            content = _message_content(self._post(self.request_body(article)))
            raw_events = parse_answer(content)
        except httpx.TimeoutException as exc:
            return self._fallback(article, "timeout", started, error=type(exc).__name__)
        except httpx.HTTPStatusError as exc:
            return self._fallback(article, "http_status", started, status=exc.response.status_code)
        except httpx.HTTPError as exc:
            return self._fallback(article, "http_error", started, error=type(exc).__name__)
        except InvalidAnswer as exc:
            return self._fallback(article, "bad_answer", started, error=str(exc))
        events: list[ExtractedEvent] = []
        for index, raw in enumerate(raw_events):
            try:
                events.append(validate_event(raw, text))
            except InvalidEvent as exc:
                log.debug("llm_event_dropped", article_id=article.get("id"), index=index, why=str(exc))
        if raw_events and not events:
            return self._fallback(article, "no_valid_events", started, dropped=len(raw_events))
        return {"id": article.get("id"), "is_procurement": bool(events), "events": events}
