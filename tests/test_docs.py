"""README documents every setting (datasette's test_docs idea): an undocumented setting fails the build."""

from __future__ import annotations

from pathlib import Path

from settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`RUBRIK_{name.upper()}`" not in README]
    assert missing == []


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["scripts/run", "scripts/test"]
