"""E-mail intake from a Maildir through the real harvest: plain, HTML, multipart, non-UTF-8 and hostile
messages, a huge attachment, unknown senders, and reruns that create nothing twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from flows.pipeline import harvest
from sources.mailbox import MaildirReader
from sources.mailparse import parse_mail
from store import items_repo, mail_repo
from store.db import make_engine, session_factory, transaction, upgrade
from tests.mailbox.conftest import HUGE_BYTES, mailbox_catalog, make_maildir, write_huge


@pytest.fixture
def env(db_url: str, make_settings: Any, tmp_path: Path) -> Any:
    maildir = make_maildir(tmp_path / "Maildir")
    write_huge(maildir)
    settings = make_settings(database_url=db_url, catalog=mailbox_catalog(tmp_path / "catalog.yaml", maildir))
    engine = make_engine(db_url)
    upgrade(engine)
    yield settings, session_factory(engine), maildir
    engine.dispose()


def _items(factory: Any) -> dict[str, Any]:
    with transaction(factory) as session:
        return {view.title: view for view in items_repo.list_items(session)}


def test_intake_creates_pending_items_and_holds_unknown_senders(env: Any) -> None:
    settings, factory, _ = env
    summary = asyncio.run(harvest(settings))
    (outcome,) = summary.sources
    assert outcome.status == "ok", outcome.message
    assert (outcome.entries, outcome.new) == (8, 7)
    items = _items(factory)
    assert set(items) == {
        'Gutscheinaktion "Freiberg hilft"', "Stundung der Gewerbesteuer", "Lokale Hotline",
        "Förderung für Händler", "Koi8 und Co", "Ohne Message-ID", "Riesiger Anhang",
    }  # fmt: skip
    assert all(view.status == "pending" and view.source_id == "postfach" for view in items.values())
    plain = items['Gutscheinaktion "Freiberg hilft"']
    head = "Von: Stadtverwaltung Freiberg <wirtschaft@freiberg.de>\nEingegangen: 2020-03-24T09:15"
    assert plain.content_text.startswith(head)
    assert "Gutscheinaktion für Händler" in plain.summary_html
    assert plain.published_at is not None and plain.published_at.isoformat() == "2020-03-24T09:15:00+00:00"
    with transaction(factory) as session:
        held = mail_repo.held_messages(session)
    assert [(h.sender, h.subject) for h in held] == [("win@prize.example", "Sie haben gewonnen!")]
    assert "prize.example/claim" in held[0].text
    assert all("gewonnen" not in title for title in items)  # held, never an item


def test_html_mail_is_sanitized_like_harvested_html(env: Any) -> None:
    settings, factory, _ = env
    asyncio.run(harvest(settings))
    html = _items(factory)["Stundung der Gewerbesteuer"].summary_html
    assert "Die Stadt <b>Hainichen</b> stundet" in html
    assert 'href="https://www.hainichen.de/stundung"' in html  # tracking parameter gone
    for bad in ("<script", "<img", "tracker.example", "pixel", "<iframe", "<form", "javascript:", "onload",
                "data:image", "<style", "evil.example"):  # fmt: skip
        assert bad not in html, bad
    multipart = _items(factory)["Lokale Hotline"]
    assert "<strong>Hotline</strong>" in multipart.summary_html and "cid:" not in multipart.summary_html
    # attachments are listed by name, type and size — never rendered or opened
    assert "rechnung.pdf.exe" in multipart.summary_html and "Merkblatt.pdf" in multipart.summary_html
    assert "TVqQ" not in multipart.summary_html + multipart.content_text  # the .exe's bytes are nowhere
    assert "rechnung.pdf.exe (application/x-msdownload, 57 Byte)" in multipart.content_text


def test_non_utf8_charsets_are_decoded(env: Any) -> None:
    settings, factory, _ = env
    asyncio.run(harvest(settings))
    items = _items(factory)
    latin = items["Förderung für Händler"]  # subject in encoded words, body quoted-printable latin-1
    assert "Döbeln fördert Händler mit 500 €" in latin.content_text and "Grüße" in latin.content_text
    assert "Bürgermeister Döbeln <buergermeister@doebeln.de>" in latin.content_text
    assert "Привет" in items["Koi8 und Co"].content_text
    assert "Grüße aus Rochlitz" in items["Ohne Message-ID"].content_text  # unknown charset: UTF-8 detected


def test_huge_attachment_is_listed_with_its_size_but_never_loaded(env: Any) -> None:
    settings, factory, maildir = env
    asyncio.run(harvest(settings))
    huge = _items(factory)["Riesiger Anhang"]
    assert "daten.zip (application/zip, mindestens" in huge.content_text
    reader = MaildirReader(maildir, 200_000)
    ref = next(path for path in (maildir / "cur").iterdir() if path.name.startswith("1700000999"))
    tracemalloc.start()
    (raw,) = list(reader.fetch([f"cur/{ref.name}"]))
    mail = parse_mail(raw.data, truncated=raw.truncated, full_size=raw.size)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert raw.truncated and len(raw.data) == 200_000 and raw.size > HUGE_BYTES
    assert mail.attachments[-1].at_least and mail.attachments[-1].size > HUGE_BYTES // 2
    assert peak < HUGE_BYTES / 4, peak  # the 12 MB message was never read whole


def test_rerun_creates_nothing_twice_even_when_flags_are_lost(env: Any) -> None:
    settings, factory, maildir = env
    asyncio.run(harvest(settings))
    assert not list((maildir / "new").iterdir())
    assert all(path.name.endswith(":2,S") for path in (maildir / "cur").iterdir())
    again = asyncio.run(harvest(settings, only=["postfach"])).sources[0]
    assert (again.entries, again.new) == (0, 0)  # all flagged: not even read
    # flags lost (a mail client, a crash between commit and flag): the Message-ID index still knows them
    for path in list((maildir / "cur").iterdir()):
        path.rename(maildir / "new" / path.name.split(":2,")[0])
    third = asyncio.run(harvest(settings, only=["postfach"])).sources[0]
    assert (third.entries, third.new, third.unchanged) == (8, 0, 8)
    assert len(_items(factory)) == 7
    with transaction(factory) as session:
        assert mail_repo.count_held(session) == 1
    assert all(path.name.endswith(":2,S") for path in (maildir / "cur").iterdir())


def test_missing_maildir_is_a_source_error_not_a_crash(db_url: str, make_settings: Any, tmp_path: Path) -> None:
    settings = make_settings(database_url=db_url, catalog=mailbox_catalog(tmp_path / "c.yaml", tmp_path / "none"))
    upgrade(make_engine(db_url))
    (outcome,) = asyncio.run(harvest(settings)).sources
    assert (outcome.status, outcome.error_code) == ("error", "mailbox_missing")
