"""Settings: defaults, ARMSWATCH_* variables, the TOML file, *_FILE secrets, one-line errors."""

from __future__ import annotations

import pytest

from services.config import describe, load_settings, redact_url
from services.errors import ConfigError


def test_defaults_are_embedded_sqlite_with_the_archive_on(tmp_path, monkeypatch):
    """With nothing set: embedded broker, SQLite under the data dir, archive on."""
    monkeypatch.setenv("ARMSWATCH_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.embedded and settings.archive_enabled
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'armswatch.db'}"
    assert settings.topic("articles") == "armswatch.articles"


def test_environment_beats_the_toml_file(tmp_path, monkeypatch):
    """A variable overrides the same key of the file; the file overrides defaults."""
    config = tmp_path / "armswatch.toml"
    config.write_text('topic_namespace = "fromfile"\nkafka_bootstrap = "kafka:9092"\n', encoding="utf-8")
    monkeypatch.setenv("ARMSWATCH_TOPIC_NAMESPACE", "fromenv")
    settings = load_settings(config)
    assert settings.topic_namespace == "fromenv"
    assert settings.kafka_bootstrap == "kafka:9092" and not settings.embedded and not settings.archive_enabled


def test_unknown_key_in_the_file_is_an_error(tmp_path):
    """A typo in the TOML file is named."""
    config = tmp_path / "armswatch.toml"
    config.write_text("topic_partition = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'topic_partition'"):
        load_settings(config)


def test_secret_from_a_file_and_redacted(tmp_path, monkeypatch):
    """ARMSWATCH_DATABASE_URL_FILE is read; describe() never shows the password."""
    secret = tmp_path / "db"
    secret.write_text("postgresql://aw:s3cret@db:5432/aw\n", encoding="utf-8")
    monkeypatch.setenv("ARMSWATCH_DATABASE_URL_FILE", str(secret))
    settings = load_settings()
    assert settings.database_url == "postgresql://aw:s3cret@db:5432/aw"
    shown = dict((name, value) for name, value, _ in describe(settings))
    assert shown["ARMSWATCH_DATABASE_URL"] == "postgresql://aw:***@db:5432/aw"


def test_bad_value_names_variable_and_value(monkeypatch):
    """A bad value is one ConfigError line with the variable and the value."""
    monkeypatch.setenv("ARMSWATCH_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="ARMSWATCH_LOG_FORMAT='xml'"):
        load_settings()


def test_every_setting_has_help():
    """No undocumented setting."""
    assert all(text for _, _, text in describe(load_settings()))


def test_redact_url_keeps_user_and_host():
    """Only the password is hidden."""
    assert redact_url("postgresql://u:p@h/db") == "postgresql://u:***@h/db"
    assert redact_url("sqlite:///x.db") == "sqlite:///x.db"
