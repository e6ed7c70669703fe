"""The diff the item view shows: what changed between the compared revision and the current one."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "add", "del", "ctx" or "hunk"
    text: str


def text_diff(old: str, new: str, *, context: int = 2) -> tuple[DiffLine, ...]:
    """A unified line diff of two plain texts; empty when equal."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    return tuple(_line(line) for line in list(lines)[2:])  # drop the ---/+++ file header


def stored_diff(diff: str) -> tuple[DiffLine, ...]:
    """A diff the harvest stored with a "page updated" revision (already unified text)."""
    return tuple(_line(line) for line in diff.splitlines() if not line.startswith(("---", "+++")))


def _line(line: str) -> DiffLine:
    if line.startswith("@@"):
        return DiffLine("hunk", line)
    if line.startswith("+"):
        return DiffLine("add", line[1:])
    if line.startswith("-"):
        return DiffLine("del", line[1:])
    return DiffLine("ctx", line[1:] if line.startswith(" ") else line)
