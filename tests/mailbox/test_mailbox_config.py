"""The catalog's ``mailbox`` kind: validation, no password in the catalog, SSRF rule for the IMAP host."""

from __future__ import annotations

import pytest

from settings import read_secret
from sources.catalog import CatalogError, parse_source
from sources.mailbox import parse_mailbox, sender_allowed


def _entry(**mailbox: object) -> dict[str, object]:
    return {"id": "postfach", "name": "Postfach", "kind": "mailbox", "interval": "15m", "mailbox": mailbox}


def test_imap_source_round_trips_and_derives_its_address() -> None:
    config = parse_source(_entry(imap_host="imap.example.org", user="wifoe", password_env="RUBRIK_MAILBOX_WIFOE",
                                 allowed_senders=["@Freiberg.de"]))  # fmt: skip
    assert config.url == "imaps://imap.example.org:993/INBOX"
    assert config.mailbox is not None and config.mailbox.allowed_senders == ("@freiberg.de",)
    assert parse_source(config.to_dict()) == config


@pytest.mark.parametrize(
    ("mailbox", "reason"),
    [
        ({"imap_host": "imap.example.org", "user": "u", "password": "geheim"}, 'unknown key "password"'),
        ({"imap_host": "imap.example.org", "user": "u", "password_env": "AWS_SECRET"}, "RUBRIK_MAILBOX_"),
        ({"maildir": "/x", "mbox": "/y"}, "exactly one"),
        ({"maildir": "/x", "allowed_senders": ["niemand"]}, "allowed_senders"),
        ({"imap_host": "127.0.0.1", "user": "u", "password_env": "RUBRIK_MAILBOX_X"}, "non-public"),
    ],
)
def test_invalid_mailbox_configs_are_refused(mailbox: dict[str, object], reason: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_source(_entry(**mailbox))
    assert reason in str(caught.value)


def test_mailbox_field_only_for_mailbox_kind() -> None:
    entry = {"id": "f", "name": "F", "kind": "feed", "url": "https://example.org/f", "interval": "1h",
             "mailbox": {"maildir": "/x"}}  # fmt: skip
    with pytest.raises(CatalogError, match="only for kind mailbox"):
        parse_source(entry)


def test_sender_filter_and_secret_names(monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = parse_mailbox({"maildir": "/x", "allowed_senders": ["amt@stadt.de", "@gemeinde.de"]}).allowed_senders
    assert sender_allowed("AMT@stadt.de", allowed) and sender_allowed("x@gemeinde.de", allowed)
    assert not sender_allowed("x@stadt.de", allowed) and not sender_allowed("x@evilgemeinde.de", allowed)
    assert not sender_allowed("", allowed)
    monkeypatch.setenv("RUBRIK_MAILBOX_T", "pw")
    monkeypatch.setenv("HOME_SECRET", "no")
    assert read_secret("RUBRIK_MAILBOX_T") == "pw" and read_secret("HOME_SECRET") is None
