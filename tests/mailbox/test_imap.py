"""The e-mail intake against a real IMAP server (Dovecot on 127.0.0.1, TLS verified against the test CA)."""

from __future__ import annotations

import asyncio
import imaplib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.pipeline import harvest
from sources.imapreader import ImapReader
from sources.mailbox import PROCESSED_KEYWORD, parse_mailbox
from store import items_repo, mail_repo
from store.db import make_engine, session_factory, transaction, upgrade
from tests.mailbox import dovecot
from tests.mailbox.conftest import ALLOWED, FIXTURES

pytestmark = pytest.mark.skipif(dovecot.available() is not None, reason=str(dovecot.available()))
HUGE = 3_000_000


@pytest.fixture
def server() -> Iterator[dovecot.Dovecot]:
    with dovecot.running() as running:
        conn = _connect(running)
        for path in sorted(FIXTURES.glob("*.eml")):
            conn.append("INBOX", None, None, path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        conn.append("INBOX", None, None, _huge())
        conn.logout()
        yield running


def _connect(server: dovecot.Dovecot) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=server.ca_file)
    conn = imaplib.IMAP4_SSL("127.0.0.1", server.port, ssl_context=context, timeout=10)
    conn.login(dovecot.USER, dovecot.PASSWORD)
    return conn


def _huge() -> bytes:
    head = (
        b"From: presse@mittweida.de\r\nSubject: Grosser Anhang per IMAP\r\nMessage-ID: <imap-huge@mittweida.de>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain\r\n\r\nAnbei.\r\n--B\r\nContent-Type: application/zip\r\n"
        b'Content-Disposition: attachment; filename="gross.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    )
    return head + (b"A" * 76 + b"\r\n") * (HUGE // 78) + b"--B--\r\n"


def _settings(make_settings: Any, db_url: str, tmp_path: Path, server: dovecot.Dovecot, **mailbox: Any) -> Any:
    box = {"imap_host": "127.0.0.1", "imap_port": server.port, "user": dovecot.USER, "tls_ca_file": server.ca_file,
           "password_env": "RUBRIK_MAILBOX_TEST", "allowed_senders": ALLOWED, "max_message_bytes": 200_000}  # fmt: skip
    source = {"id": "postfach", "name": "Postfach", "kind": "mailbox", "interval": "15m", "mailbox": box | mailbox}
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    upgrade(make_engine(db_url))
    return make_settings(database_url=db_url, catalog=catalog, fetch_allow_hosts=[f"127.0.0.1:{server.port}"])


def test_imap_intake_flags_messages_and_reruns_create_nothing(
    server: dovecot.Dovecot, db_url: str, make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUBRIK_MAILBOX_TEST", dovecot.PASSWORD)
    settings = _settings(make_settings, db_url, tmp_path, server)
    (outcome,) = asyncio.run(harvest(settings)).sources
    assert (outcome.status, outcome.entries, outcome.new) == ("ok", 8, 7), outcome.message
    engine = make_engine(db_url)
    with transaction(session_factory(engine)) as session:
        titles = {view.title: view for view in items_repo.list_items(session)}
        assert mail_repo.count_held(session) == 1
    engine.dispose()
    assert "Förderung für Händler" in titles and "Привет" in titles["Koi8 und Co"].content_text
    huge = titles["Grosser Anhang per IMAP"]
    assert "gross.zip (application/zip, mindestens" in huge.content_text  # only the first 200 KB were fetched
    conn = _connect(server)
    conn.select("INBOX")
    _, flagged = conn.uid("SEARCH", "KEYWORD", PROCESSED_KEYWORD)
    _, unseen = conn.uid("SEARCH", "UNSEEN")
    assert len(flagged[0].split()) == 8 and unseen[0] == b""
    conn.uid("STORE", b",".join(flagged[0].split()).decode(), "-FLAGS.SILENT", f"({PROCESSED_KEYWORD} \\Seen)")
    conn.logout()
    again = asyncio.run(harvest(settings, only=["postfach"])).sources[0]
    assert (again.entries, again.new, again.unchanged) == (8, 0, 8)  # flags lost: the Message-ID index knows them
    third = asyncio.run(harvest(settings, only=["postfach"])).sources[0]
    assert (third.entries, third.new) == (0, 0)


def test_imap_errors_are_source_errors(
    server: dovecot.Dovecot, db_url: str, make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUBRIK_MAILBOX_TEST", "falsch")
    settings = _settings(make_settings, db_url, tmp_path, server)
    assert asyncio.run(harvest(settings)).sources[0].error_code == "mailbox_auth"
    monkeypatch.setenv("RUBRIK_MAILBOX_TEST", dovecot.PASSWORD)
    config = parse_mailbox({"imap_host": "127.0.0.1", "imap_port": server.port, "user": dovecot.USER,
                            "password_env": "RUBRIK_MAILBOX_TEST"})  # fmt: skip
    with pytest.raises(Exception) as caught:  # the self-signed certificate is not trusted without its CA
        ImapReader.connect(config, password=dovecot.PASSWORD, timeout=5)
    assert getattr(caught.value, "code", "") == "connection_failed"
