"""Telling people things: e-mail through the configured SMTP server (nothing is sent when none is set)."""
