"""IMAP over TLS for the e-mail intake (see sources/mailbox.py): verified TLS, partial fetches, keywords."""

from __future__ import annotations

import imaplib
import re
import ssl
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sources.errors import ConnectionFailed, ImapFailed, MailboxAuthFailed, MailboxMissing
from sources.mailbox import PROCESSED_KEYWORD, Head, MailboxConfig, RawMail
from sources.mailparse import head_key

_CHUNK = 500
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_HEAD_FIELDS = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID FROM DATE SUBJECT)]"


@dataclass
class ImapReader:
    conn: imaplib.IMAP4_SSL
    cap: int
    keyword: bool  # the server keeps our keyword; else "\\Seen" marks processed

    @classmethod
    def connect(cls, config: MailboxConfig, *, password: str, timeout: float) -> ImapReader:
        context = ssl.create_default_context(cafile=config.tls_ca_file)  # verifies certificate and host name
        assert config.imap_host
        try:
            conn = imaplib.IMAP4_SSL(config.imap_host, config.imap_port, ssl_context=context, timeout=timeout)
        except (OSError, ssl.SSLError, imaplib.IMAP4.error) as error:
            raise ConnectionFailed(f"IMAP-Verbindung fehlgeschlagen: {error}") from error
        try:
            conn.login(config.user, password)
            status, _ = conn.select(_quote(config.folder))
            if status != "OK":
                raise MailboxMissing(f"IMAP-Ordner {config.folder!r} nicht gefunden.")
        except imaplib.IMAP4.error as error:
            conn.shutdown()
            raise MailboxAuthFailed(f"IMAP-Anmeldung fehlgeschlagen: {error}") from error
        except OSError as error:
            raise ConnectionFailed(f"IMAP-Verbindung abgebrochen: {error}") from error
        flags = b" ".join(item for item in conn.untagged_responses.get("PERMANENTFLAGS", []) if isinstance(item, bytes))
        return cls(conn, config.max_message_bytes, b"\\*" in flags)

    def _search(self) -> list[str]:
        criteria = ("UNKEYWORD", PROCESSED_KEYWORD) if self.keyword else ("UNSEEN",)
        status, data = self.conn.uid("SEARCH", *criteria)
        if status != "OK":
            raise ImapFailed(f"IMAP-Suche fehlgeschlagen: {data!r}")
        return [uid.decode() for uid in (data[0] or b"").split()]

    def heads(self) -> Iterator[Head]:
        uids = self._search()
        for start in range(0, len(uids), _CHUNK):
            for meta, payload in self._fetch(uids[start : start + _CHUNK], f"(UID {_HEAD_FIELDS})"):
                uid = _UID.search(meta)
                if uid:
                    yield Head(uid.group(1).decode(), head_key(payload))

    def fetch(self, refs: Sequence[str]) -> Iterator[RawMail]:
        for start in range(0, len(refs), _CHUNK):
            chunk = list(refs[start : start + _CHUNK])
            query = f"(UID RFC822.SIZE INTERNALDATE BODY.PEEK[]<0.{self.cap}>)"
            for meta, payload in self._fetch(chunk, query):
                uid, size = _UID.search(meta), _SIZE.search(meta)
                if uid:
                    arrived = _internaldate(meta)
                    yield RawMail(uid.group(1).decode(), payload, int(size.group(1)) if size else len(payload), arrived)

    def _fetch(self, uids: list[str], query: str) -> Iterator[tuple[bytes, bytes]]:
        if not uids:
            return
        status, data = self.conn.uid("FETCH", ",".join(uids), query)
        if status != "OK":
            raise ImapFailed(f"IMAP-Abruf fehlgeschlagen: {data!r}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                yield item[0], item[1]

    def mark_processed(self, refs: Sequence[str]) -> None:
        flags = f"({PROCESSED_KEYWORD} \\Seen)" if self.keyword else "(\\Seen)"
        for start in range(0, len(refs), _CHUNK):
            self.conn.uid("STORE", ",".join(refs[start : start + _CHUNK]), "+FLAGS.SILENT", flags)

    def close(self) -> None:
        try:
            self.conn.close()
            self.conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internaldate(meta: bytes) -> datetime | None:
    parsed = imaplib.Internaldate2tuple(meta)
    if parsed is None:
        return None
    return datetime.fromtimestamp(time.mktime(parsed), UTC)
