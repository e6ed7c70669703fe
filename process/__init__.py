"""Pure functions over frozen dataclasses: normalize, sanitize, identity/dedupe, tagging. No I/O here."""
