"""`rubrik entries add|list` and `rubrik contacts import|list` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import cli
from store.db import make_engine, session_factory, transaction
from store.schema import AuditRow
from tests.review.conftest import cli_database


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch, count=1)


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, args)
    if isinstance(result.exception, cli.UserError):
        return 2, str(result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


ADD = ["entries", "add", "--title", "Gutscheine in Penig", "--text", "Die Stadt **Penig** hilft.",
       "--topic", "soforthilfen-zuschuesse", "--town", "Penig", "--sector", "handel",
       "--link", "Antrag | https://www.penig.de/gutschein", "--valid-until", "2099-06-30"]  # fmt: skip


def test_entries_add_goes_to_review_and_publish_needs_an_admin(env: str) -> None:
    code, output = _run(ADD)
    assert code == 0 and "Prüfliste" in output
    code, output = _run([*ADD, "--publish", "--as", "rita"])
    assert code == 2 and "Admin" in output
    code, output = _run([*ADD, "--section", "kommunale-angebote", "--publish", "--as", "adam"])
    assert code == 0 and "veröffentlicht" in output
    code, output = _run(["entries", "list", "--json"])
    listed = json.loads(output)
    assert [(e["section"], e["status"]) for e in listed] == [
        ("kommunale-angebote", "approved"),
        ("redaktion", "pending"),
    ]
    assert listed[0]["valid_until"] == "2099-06-30" and listed[0]["links"][0]["url"] == "https://www.penig.de/gutschein"
    engine = make_engine(env)
    with transaction(session_factory(engine)) as session:
        notes = [
            row.detail.get("note") for row in session.scalars(select(AuditRow).where(AuditRow.action == "approve"))
        ]
    engine.dispose()
    assert notes == ["published directly by admin"]


def test_entries_add_refuses_bad_input(env: str) -> None:
    code, output = _run(["entries", "add", "--title", "x", "--text", "y", "--topic", "quatsch", "--town", "Ostrau"])
    assert code == 2 and "quatsch" in output and "Ostrau" in output


def test_contacts_import_validates_everything_first(env: str, tmp_path: Path) -> None:
    good = tmp_path / "kontakte.csv"
    good.write_text(
        "section;institution;topic;phone;email;web;hours\n"
        "block;Hotline des Landkreises;Corona-Wirtschaft;03731 799-3333;;;Mo–Fr 8–16 Uhr\n"
        "block;Wirtschaftsförderung;;;wirtschaft@landkreis-mittelsachsen.de;;\n"
        "wichtig;HWK Chemnitz;Betriebsberatung;+49 371 5364-0;info@hwk-chemnitz.de;https://www.hwk-chemnitz.de;\n",
        encoding="utf-8",
    )
    bad = tmp_path / "falsch.csv"
    bad.write_text("section,institution,phone,email\nwichtig,IHK,0000,ihk@\nwichtig,,,\n", encoding="utf-8")
    code, output = _run(["contacts", "import", str(bad)])
    assert code == 2 and "Nichts importiert" in output and "Zeile 2" in output and "Zeile 3" in output
    assert _run(["contacts", "import", str(good)]) == (0, "Kontakte: 3 neu, 0 geändert, 0 entfernt.\n")
    assert _run(["contacts", "import", str(good)])[1] == "Kontakte: 0 neu, 3 geändert, 0 entfernt.\n"
    code, output = _run(["contacts", "list", "--json"])
    listed = json.loads(output)
    assert [(c["section"], c["phone_e164"]) for c in listed] == [
        ("block", "+4937317993333"), ("block", ""), ("wichtig", "+4937153640"),
    ]  # fmt: skip
    assert "HWK Chemnitz" in _run(["contacts", "list"])[1]
