"""sources/parsers."""
