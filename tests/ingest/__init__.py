"""Tests for services.ingest and the bundled demo feeds."""
