"""The e-mail intake's mailbox side (source kind ``mailbox``): its catalog config and three readers.

A reader lists the messages not yet marked processed with a cheap key from their header block, hands out a
message's first ``max_message_bytes`` on request, and marks messages processed afterwards:

* IMAP over TLS (certificate and host name verified): keyword ``$RubrikProcessed`` plus ``\\Seen`` (only
  ``\\Seen`` when the server allows no keywords); the body is fetched partially (``BODY.PEEK[]<0.cap>``).
* Maildir (testing, or a local delivery): ``new/`` → ``cur/`` with the ``S`` flag.
* mbox (testing): read-only; only the Message-ID index keeps reruns idempotent.

The Message-ID index in the database (``mail_messages``) is the real guarantee: a message whose flag could
not be set is recognised by its key on the next run and only flagged then. No password in the catalog:
``password_env`` names an environment variable (``RUBRIK_MAILBOX_…``) that settings.py reads.
"""

from __future__ import annotations

import mailbox
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sources.errors import MailboxAuthFailed, MailboxMissing
from sources.mailparse import HEAD_BYTES, head_key

PROCESSED_KEYWORD = "$RubrikProcessed"
PASSWORD_ENV = re.compile(r"RUBRIK_MAILBOX_[A-Z0-9_]{1,60}")
_KEYS = ("maildir", "mbox", "imap_host", "imap_port", "user", "password_env", "folder", "tls_ca_file",
         "allowed_senders", "max_message_bytes")  # fmt: skip


@dataclass(frozen=True, slots=True)
class MailboxConfig:
    maildir: str | None = None
    mbox: str | None = None
    imap_host: str | None = None
    imap_port: int = 993
    user: str = ""
    password_env: str = ""
    folder: str = "INBOX"
    tls_ca_file: str | None = None  # a private CA (the test server); default: the system's trust store
    allowed_senders: tuple[str, ...] = ()  # "amt@stadt.de" or "@stadt.de" (a whole domain)
    max_message_bytes: int = 2_000_000

    @property
    def address(self) -> str:
        """What the sources table shows as the source's URL."""
        if self.imap_host:
            return f"imaps://{self.imap_host}:{self.imap_port}/{self.folder}"
        return f"maildir:{self.maildir}" if self.maildir else f"mbox:{self.mbox}"

    def to_dict(self) -> dict[str, object]:
        values = {name: getattr(self, name) for name in _KEYS}
        values["allowed_senders"] = list(self.allowed_senders)
        return {key: value for key, value in values.items() if value not in (None, "")}


def parse_mailbox(data: object) -> MailboxConfig:
    """Validate the catalog's ``mailbox`` mapping; ValueError with a plain-words reason."""
    if not isinstance(data, Mapping):
        raise ValueError("must be a mapping like {imap_host: …, user: …, password_env: …} or {maildir: PATH}")
    unknown = [str(key) for key in data if key not in _KEYS]
    if unknown:
        raise ValueError(f'unknown key "{unknown[0]}"; allowed: {", ".join(_KEYS)}')
    places = [key for key in ("maildir", "mbox", "imap_host") if data.get(key)]
    if len(places) != 1:
        raise ValueError("name exactly one of imap_host, maildir or mbox")
    port = data.get("imap_port", 993)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError("imap_port must be a port number")
    size = data.get("max_message_bytes", 2_000_000)
    if isinstance(size, bool) or not isinstance(size, int) or not 10_000 <= size <= 100_000_000:
        raise ValueError("max_message_bytes must be a number between 10000 and 100000000")
    config = MailboxConfig(
        maildir=_opt(data, "maildir"), mbox=_opt(data, "mbox"), imap_host=_opt(data, "imap_host"), imap_port=port,
        user=str(data.get("user") or ""), password_env=str(data.get("password_env") or ""),
        folder=str(data.get("folder") or "INBOX"), tls_ca_file=_opt(data, "tls_ca_file"),
        allowed_senders=_senders(data.get("allowed_senders")), max_message_bytes=size,
    )  # fmt: skip
    if config.imap_host and not (config.user and PASSWORD_ENV.fullmatch(config.password_env)):
        raise ValueError("IMAP needs user and password_env (the name of an environment variable RUBRIK_MAILBOX_…)")
    return config


def _opt(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    return str(value).strip() or None if value is not None else None


def _senders(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and "@" in v for v in value):
        raise ValueError("allowed_senders must be a list of addresses or @domains")
    return tuple(dict.fromkeys(str(v).strip().lower() for v in value))


def sender_allowed(address: str, allowed: Sequence[str]) -> bool:
    """Exact address, or its domain given as ``@domain``. The From header is only a filter, not proof:
    the mail server's SPF/DKIM/DMARC checks are what stop forgeries; staff still review every item."""
    address = address.strip().lower()
    if not address or "@" not in address:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    return address in allowed or domain in allowed


@dataclass(frozen=True, slots=True)
class Head:
    ref: str  # the reader's handle: Maildir file name, mbox key, IMAP UID
    key: str  # message key (see sources.mailparse.head_key)


@dataclass(frozen=True, slots=True)
class RawMail:
    ref: str
    data: bytes  # at most the cap
    size: int  # the whole message's size
    arrived_at: datetime | None = None  # delivery time (file time / INTERNALDATE) when Date is missing

    @property
    def truncated(self) -> bool:
        return self.size > len(self.data)


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class MailReader(Protocol):
    def heads(self) -> Iterator[Head]: ...
    def fetch(self, refs: Sequence[str]) -> Iterator[RawMail]: ...
    def mark_processed(self, refs: Sequence[str]) -> None: ...
    def close(self) -> None: ...


# -- Maildir ---------------------------------------------------------------------------------------------


@dataclass
class MaildirReader:
    root: Path
    cap: int

    def __post_init__(self) -> None:
        if not (self.root / "cur").is_dir() or not (self.root / "new").is_dir():
            raise MailboxMissing(f"Kein Maildir-Ordner: {self.root}")

    def heads(self) -> Iterator[Head]:
        for path in self._unprocessed():
            with path.open("rb") as handle:
                yield Head(self._ref(path), head_key(handle.read(HEAD_BYTES)))

    def _unprocessed(self) -> list[Path]:
        new = sorted((self.root / "new").iterdir())
        cur = sorted(p for p in (self.root / "cur").iterdir() if "S" not in _flags(p.name))
        return [p for p in new + cur if p.is_file() and not p.name.startswith(".")]

    def _ref(self, path: Path) -> str:
        return f"{path.parent.name}/{path.name}"

    def fetch(self, refs: Sequence[str]) -> Iterator[RawMail]:
        for ref in refs:
            path = self.root / ref
            with path.open("rb") as handle:
                data = handle.read(self.cap)  # never more than the cap, whatever the attachment
                stat = os.fstat(handle.fileno())
            yield RawMail(ref, data, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def mark_processed(self, refs: Sequence[str]) -> None:
        for ref in refs:
            path = self.root / ref
            base, _, info = path.name.partition(":2,")
            flags = "".join(sorted(set(info) | {"S"}))
            target = self.root / "cur" / f"{base}:2,{flags}"
            if path.exists() and path != target:
                path.rename(target)

    def close(self) -> None:
        return None


def _flags(name: str) -> str:
    return name.partition(":2,")[2]


# -- mbox (read-only) ------------------------------------------------------------------------------------


@dataclass
class MboxReader:
    path: Path
    cap: int
    _box: mailbox.mbox | None = field(default=None, init=False)

    def _mbox(self) -> mailbox.mbox:
        if self._box is None:
            if not self.path.is_file():
                raise MailboxMissing(f"Keine mbox-Datei: {self.path}")
            self._box = mailbox.mbox(self.path, create=False)
        return self._box

    def heads(self) -> Iterator[Head]:
        box = self._mbox()
        for key in box.iterkeys():
            with box.get_file(key) as handle:
                yield Head(str(key), head_key(handle.read(HEAD_BYTES)))

    def fetch(self, refs: Sequence[str]) -> Iterator[RawMail]:
        box = self._mbox()
        for ref in refs:
            with box.get_file(ref) as handle:
                data = handle.read(self.cap)
                size = len(data) + _skip_rest(handle)
            yield RawMail(ref, data, size)

    def mark_processed(self, refs: Sequence[str]) -> None:
        return None  # read-only: the Message-ID index is enough

    def close(self) -> None:
        if self._box is not None:
            self._box.close()


def _skip_rest(handle: _Readable) -> int:
    """Count the bytes past the cap without keeping them."""
    skipped = 0
    while chunk := handle.read(65536):
        skipped += len(chunk)
    return skipped


def open_reader(config: MailboxConfig, *, password: str | None, timeout: float) -> MailReader:
    """The reader for the configured place (IMAP needs the password the entrypoint looked up)."""
    if config.maildir:
        return MaildirReader(Path(config.maildir), config.max_message_bytes)
    if config.mbox:
        return MboxReader(Path(config.mbox), config.max_message_bytes)
    from sources.imapreader import ImapReader

    if not password:
        raise MailboxAuthFailed(f"Kein Passwort in der Umgebungsvariablen {config.password_env}.")
    return ImapReader.connect(config, password=password, timeout=timeout)
