"""The exception tree every armswatch component raises.

ArmswatchError
 ├── ConfigError         a setting has a bad value (names the variable and the value)
 ├── RecordError         a record fails to parse or validate against its schema
 ├── BrokerError         the Kafka broker cannot be started, reached or used
 ├── StoreError          the SQL store cannot be reached or migrated
 └── UsageError          a command or API call was given bad input (one-line message)
"""

from __future__ import annotations


class ArmswatchError(Exception):
    """Root of every error armswatch raises on purpose."""


class ConfigError(ArmswatchError):
    """A setting has a value armswatch cannot use."""


class RecordError(ArmswatchError):
    """A record does not parse as JSON or does not validate against its schema."""

    def __init__(self, message: str, *, record_type: str | None = None) -> None:
        super().__init__(message)
        self.record_type = record_type


class BrokerError(ArmswatchError):
    """The Kafka broker cannot be started, reached or used."""


class StoreError(ArmswatchError):
    """The SQL store cannot be reached or migrated."""


class UsageError(ArmswatchError):
    """Bad input from a user: the message is one line naming what is wrong."""
