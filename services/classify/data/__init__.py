"""Data files of the rules classifier (a package only so that setuptools ships the JSONL files)."""
