"""Shared fixtures for the process tests: the third-party corpora, skipped when absent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def corpus_dir() -> Path:
    path = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    if not path.is_dir():
        pytest.skip(f"corpus not present at {path}")
    return path
