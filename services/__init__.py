"""armswatch: event-sourced alerting on arms-procurement news."""

__version__ = "0.1.0"

__all__ = ["__version__"]
