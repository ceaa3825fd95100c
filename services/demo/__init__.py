"""Bundled demo feeds served by ``armswatch demo`` (data files under ``feeds/``)."""
