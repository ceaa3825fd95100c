"""Typed settings built once at start-up from ARMSWATCH_* variables and an optional TOML file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.errors import ConfigError

ENV_PREFIX = "ARMSWATCH_"
#: Settings whose values carry secrets: shown redacted, and readable from a `<NAME>_FILE` variable.
SECRET_SETTINGS = frozenset({"database_url", "llm_api_key"})


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "armswatch"


class Settings(BaseSettings):
    """Every setting armswatch reads, with its default and help line."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    data_dir: Path = Field(
        default_factory=_default_data_dir, description="Directory for the SQLite store and runtime files."
    )
    kafka_bootstrap: str | None = Field(
        default=None,
        description="Kafka bootstrap servers (host:port,...); unset starts the embedded Tansu broker.",
    )
    topic_namespace: str = Field(
        default="armswatch",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Prefix of every topic name (armswatch.articles ...).",
    )
    topic_partitions: int = Field(
        default=3, ge=1, le=256, description="Partitions of each topic armswatch creates."
    )
    replication_factor: int = Field(
        default=1, ge=1, description="Replication factor of each topic armswatch creates."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the read model; unset uses SQLite under data_dir."
    )
    archive: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Archive every produced record in the SQL event_log (auto: on for the embedded broker).",
    )
    log_format: Literal["console", "json"] = Field(default="console", description="Log line format.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Lowest level logged."
    )
    api_host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    api_port: int = Field(
        default=8080, ge=0, le=65535, description="Port the API listens on (0 picks a free one)."
    )
    api_max_body: int = Field(
        default=1_048_576,
        ge=1024,
        le=64 * 1_048_576,
        description="Largest request body the API reads, in bytes.",
    )
    record_max_bytes: int = Field(
        default=900_000,
        ge=16_384,
        le=64 * 1_048_576,
        description="Largest record put on a topic, in bytes; a larger one is quarantined, never sent.",
    )
    article_max_chars: int = Field(
        default=100_000,
        ge=1_000,
        le=10_000_000,
        description="Longest article text kept, in characters; a longer one is cut with a mark.",
    )
    shutdown_timeout: float = Field(
        default=15.0,
        gt=0,
        le=600.0,
        description="Seconds each shutdown step (consumers, producer) may take before it is abandoned.",
    )
    session_timeout: float = Field(
        default=6.0,
        gt=0,
        description="Consumer group session timeout in seconds (short: Tansu joins wait half of it).",
    )
    poll_interval: float = Field(
        default=900.0, gt=0, description="Default seconds between two polls of one feed."
    )
    poll_tick: float = Field(default=1.0, gt=0, description="Seconds between two looks for due feeds.")
    poll_concurrency: int = Field(default=32, ge=1, description="Feeds fetched at once, over all hosts.")
    poll_per_host: int = Field(default=2, ge=1, description="Feeds fetched at once from one host.")
    fetch_timeout: float = Field(
        default=20.0, gt=0, description="Seconds allowed to connect and to read a feed."
    )
    fetch_max_bytes: int = Field(
        default=10_000_000, ge=1024, description="Largest feed body accepted, in bytes."
    )
    allowed_hosts: str = Field(
        default="",
        description="Comma-separated hosts allowed even though they resolve to private or loopback addresses.",
    )
    feed_error_threshold: int = Field(
        default=5, ge=1, description="Consecutive fetch errors before a feed is reported broken."
    )
    feed_alerts_notify: SecretStr | None = Field(
        default=None,
        description="Apprise URL(s), comma-separated, told when a feed breaks and when it recovers (secret).",
    )
    poll_min_interval: float = Field(
        default=120.0, gt=0, description="Shortest seconds between two polls of a busy feed."
    )
    poll_max_interval: float = Field(
        default=86400.0, gt=0, description="Longest seconds between two polls of a failing or idle feed."
    )
    poll_jitter: float = Field(
        default=0.1, ge=0, le=0.5, description="Random spread of each poll delay, as a fraction of it."
    )
    websub_callback_url: str | None = Field(
        default=None,
        description="Public base URL of the API that WebSub hubs can reach (https://host); unset: no push.",
    )
    websub_lease: float = Field(
        default=7 * 86400.0,
        gt=0,
        description="Seconds of WebSub lease asked of a hub (renewed before expiry).",
    )
    websub_fallback_interval: float = Field(
        default=6 * 3600.0, gt=0, description="Seconds between fallback polls of a feed pushed by a hub."
    )
    notify_max_attempts: int = Field(
        default=4, ge=1, description="Attempts to send one alert to one channel."
    )
    notify_outage_window: float = Field(
        default=86_400.0,
        gt=0,
        le=30 * 86_400.0,
        description="Seconds a channel failing with temporary errors (down, 5xx, 429) is tried again before its alert fails.",
    )
    notify_outage_retry: float = Field(
        default=30.0,
        gt=0,
        le=3600.0,
        description="Seconds before a deferred send (its channel down) is tried again; doubles per round, at most 15 min.",
    )
    notify_base_delay: float = Field(
        default=1.0, ge=0, description="Seconds before the first retry; doubles each time."
    )
    notify_rate_per_channel: float = Field(
        default=1.0, gt=0, description="Messages per second to one channel."
    )
    notify_concurrency: int = Field(
        default=32,
        ge=1,
        description="Sends in flight at once over all channels (threads of the delivery pool); one per channel.",
    )
    notify_max_inflight: int = Field(
        default=1000,
        ge=1,
        description="Alerts taken into delivery at once (waiting for their channel included).",
    )
    notify_claim_lease: float = Field(
        default=600.0,
        gt=0,
        description="Seconds a delivery claimed by another running notifier is left to it (a dead one's is taken at once).",
    )
    notify_digest_tick: float = Field(
        default=30.0, gt=0, description="Seconds between two looks for hourly and daily digests that are due."
    )
    classifier: str = Field(
        default="rules", description="Classifier backend (entry point name): rules or llm."
    )
    llm_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint for the llm classifier backend."
    )
    llm_api_key: str | None = Field(default=None, description="API key for the llm classifier backend.")
    llm_model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        description="Model name sent to the llm classifier endpoint (part of its classifier_version).",
    )
    llm_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds allowed for one llm classifier request before falling back to the rules.",
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def embedded(self) -> bool:
        """True when armswatch starts its own Tansu broker."""
        return not self.kafka_bootstrap

    @property
    def archive_enabled(self) -> bool:
        """True when produced records are archived in the SQL event_log."""
        return self.archive == "on" or (self.archive == "auto" and self.embedded)

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL in use."""
        return self.database_url or f"sqlite:///{self.data_dir / 'armswatch.db'}"

    @property
    def allowed_host_set(self) -> frozenset[str]:
        """The hosts exempt from the private-address guard."""
        return frozenset(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    def topic(self, name: str) -> str:
        """The full name of a topic: `topic("articles")` → `armswatch.articles`."""
        return f"{self.topic_namespace}.{name}"


def _read_secret_files(values: dict[str, Any]) -> None:
    for name in SECRET_SETTINGS:
        path = os.environ.get(f"{ENV_PREFIX}{name.upper()}_FILE")
        if path and f"{ENV_PREFIX}{name.upper()}" not in os.environ:
            try:
                values[name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"config: cannot read {ENV_PREFIX}{name.upper()}_FILE={path}: {exc.strerror}"
                ) from exc


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings: overrides, then ARMSWATCH_* variables, then the TOML file, then defaults.

    Raises:
        ConfigError: naming the variable and the value at fault.
    """
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config: cannot read {config_file}: {exc}") from exc
        unknown = sorted(set(values) - set(Settings.model_fields))
        if unknown:
            raise ConfigError(f"config: unknown setting {unknown[0]!r} in {config_file}")
        values = {k: v for k, v in values.items() if f"{ENV_PREFIX}{k.upper()}" not in os.environ}
    _read_secret_files(values)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "?"
        shown = "<redacted>" if name in SECRET_SETTINGS else repr(err.get("input"))
        raise ConfigError(f"config: {ENV_PREFIX}{name.upper()}={shown}: {err['msg']}") from exc


def redact_url(url: str) -> str:
    """A URL with its password replaced by `***` (user and host kept)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(variable, value shown, help) for every setting, secrets redacted."""
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name in SECRET_SETTINGS and value:
            shown = redact_url(str(value)) if "://" in str(value) else "***"
        else:
            shown = "" if value is None else str(value)
        rows.append((f"{ENV_PREFIX}{name.upper()}", shown, field.description or ""))
    return rows
