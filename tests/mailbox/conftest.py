"""Maildir fixtures for the e-mail intake: the .eml files of tests/fixtures/mail delivered into a fresh Maildir."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
ALLOWED = ["@freiberg.de", "@hainichen.de", "amt@striegistal.de", "@doebeln.de", "@leisnig.de", "info@rochlitz.de",
           "presse@mittweida.de"]  # fmt: skip
HUGE_BYTES = 12_000_000


def make_maildir(root: Path) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(sorted(FIXTURES.glob("*.eml")), start=1):
        shutil.copy(path, root / "new" / f"1700000{number:03d}.M{number}P1.test")
    return root


def write_huge(root: Path, name: str = "1700000999.M999P1.test") -> Path:
    """A message whose attachment is far larger than the intake's cap (written in chunks, never held whole)."""
    path = root / "new" / name
    head = (
        "From: Presse Mittweida <presse@mittweida.de>\r\nSubject: Riesiger Anhang\r\n"
        "Date: Mon, 30 Mar 2020 10:00:00 +0200\r\nMessage-ID: <huge-9@mittweida.de>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        "Siehe Anhang.\r\n--B\r\nContent-Type: application/zip\r\n"
        'Content-Disposition: attachment; filename="daten.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    )
    line = base64.b64encode(b"\x00" * 57) + b"\r\n"
    with path.open("wb") as handle:
        handle.write(head.encode())
        for _ in range(HUGE_BYTES // len(line)):
            handle.write(line)
        handle.write(b"--B--\r\n")
    return path


def mailbox_catalog(path: Path, maildir: Path, **extra: object) -> Path:
    source = {
        "id": "postfach", "name": "Postfach Wirtschaftsförderung", "kind": "mailbox", "interval": "15m",
        "mailbox": {"maildir": str(maildir), "allowed_senders": ALLOWED, "max_message_bytes": 200_000, **extra},
    }  # fmt: skip
    path.write_text(yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8")
    return path
