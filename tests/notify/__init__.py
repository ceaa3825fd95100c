"""Tests for services.notify rendering, channels and delivery."""
