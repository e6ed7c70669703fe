"""Fixtures for the sources tests: the shared third-party corpus lives next to the repository."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/corpus`` beside the repository; tests that need it are skipped when it is absent."""
    path = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip(f"third-party corpus not present at {path}")
    return path
