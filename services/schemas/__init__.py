"""The JSON Schemas (2020-12) of every record type, shipped inside the package and read with importlib.resources."""
