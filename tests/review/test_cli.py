"""`rubrik users add|disable` and `rubrik review list`, run through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli
from review.passwords import verify_password
from store import users_repo
from store.db import make_engine, session_factory, transaction
from tests.review.conftest import cli_database


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(tmp_path, monkeypatch, count=3)


def _run(args: list[str], stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, args, input=stdin)
    if isinstance(result.exception, cli.UserError):
        return 2, str(result.exception)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kurz", "mindestens 12"),
        ("Password1234", "verbreitet"),
        ("abcabcabcabc", "verbreitet"),
        ("xx-petra-xx-2026", "Benutzernamen"),
    ],
)
def test_users_add_refuses_weak_passwords(env: str, password: str, reason: str) -> None:
    code, output = _run(["users", "add", "petra", "--role", "reviewer", "--password-stdin"], password + "\n")
    assert code == 2 and reason in output


def test_users_add_and_disable(env: str) -> None:
    long_password = "ein sehr langer Satz " * 8  # > 72 bytes: argon2 hashes all of it, nothing is truncated
    code, output = _run(["users", "add", "petra", "--role", "admin", "--password-stdin"], long_password + "\n")
    assert code == 0, output
    factory = session_factory(make_engine(env))
    with transaction(factory) as session:
        user = users_repo.find_user(session, "petra")
    assert user is not None and user.role == "admin" and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, long_password) and not verify_password(
        user.password_hash, long_password[:-1]
    )
    assert _run(["users", "add", "petra", "--password-stdin"], long_password + "\n")[0] == 2
    assert _run(["users", "add", "paul", "--role", "chef", "--password-stdin"], long_password + "\n")[0] == 2
    assert _run(["users", "disable", "petra"])[0] == 0
    assert _run(["users", "disable", "niemand"])[0] == 2
    with transaction(factory) as session:
        assert users_repo.find_user(session, "petra").disabled  # type: ignore[union-attr]


def test_review_list_json_and_decisions(env: str) -> None:
    code, output = _run(["review", "list", "--json"])
    assert code == 0
    listed = json.loads(output)
    assert [item["id"] for item in listed] == [3, 2, 1] and {item["status"] for item in listed} == {"pending"}
    assert _run(["review", "approve", "3", "--as", "rita"])[0] == 0
    assert _run(["review", "reject", "2"])[0] == 0
    assert [item["id"] for item in json.loads(_run(["review", "list", "--json"])[1])] == [1]


def test_cli_decisions_tell_a_configured_prefect_server(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PREFECT_API_URL set (the data-centre setup), a CLI decision starts publishing like a web one."""
    import flows.decisions as decisions

    sent: list[str] = []
    monkeypatch.setattr(decisions, "announce_decision", lambda: sent.append("decided"))
    monkeypatch.setattr(decisions, "prefect_api_configured", lambda: False)
    assert _run(["review", "approve", "3"])[0] == 0
    assert sent == [], "no Prefect server configured: nobody to tell"
    monkeypatch.setattr(decisions, "prefect_api_configured", lambda: True)
    assert _run(["review", "reject", "2"])[0] == 0
    assert sent == ["decided"]
    assert _run(["review", "approve", "3"]) == (0, "0 Einträge freigegeben.\n")  # already approved
    assert sent == ["decided"], "nothing decided, nothing announced"

    def unreachable() -> None:
        raise OSError("Verbindung abgelehnt")

    monkeypatch.setattr(decisions, "announce_decision", unreachable)
    code, output = _run(["review", "approve", "1"])
    assert code == 0 and "Prefect nicht benachrichtigt" in output and "1 Einträge freigegeben" in output


def test_serve_announces_decisions_only_with_a_prefect_server() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from webapp import Debounced, decision_announcer

    with temporary_settings(updates={PREFECT_API_URL: None}):
        assert decision_announcer() is None
    with temporary_settings(updates={PREFECT_API_URL: "http://prefect.intern:4200/api"}):
        assert isinstance(decision_announcer(), Debounced)
