"""Feed ingest: fetch RSS/Atom feeds, parse them and map their entries to Article records."""
