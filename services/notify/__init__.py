"""Notifier: watchlist matching, per-channel rendering and apprise delivery of alerts."""
