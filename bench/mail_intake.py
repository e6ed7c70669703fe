"""Benchmark of the e-mail intake: 5,000 messages from a Maildir into SQLite, then the rerun.

* first intake: messages/s (read head, index lookup, parse capped message, sanitize, store in batches, flag);
* rerun, flags kept: nothing is even opened;
* rerun, flags lost (a mail client or crash cleared them): ours reads only each header block and asks the
  Message-ID index in batches of 500 — naive re-parses every whole message and asks the database per message.

    .venv/bin/python bench/mail_intake.py [--messages 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# run as a script, this file's folder comes first on sys.path and "mailbox" would be this file, not the stdlib's
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sqlalchemy import select  # noqa: E402

from flows.mailintake import intake  # noqa: E402
from sources.mailbox import MaildirReader, parse_mailbox  # noqa: E402
from sources.mailparse import parse_mail  # noqa: E402
from store.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from store.entries_schema import MailMessageRow  # noqa: E402
from store.records import SourceSpec  # noqa: E402
from store.sources_repo import upsert_source  # noqa: E402

BODY = "Sehr geehrte Damen und Herren,\n\ndie Gemeinde informiert über Hilfen für Gewerbetreibende.\n" * 8
HTML = "<p>Die <b>Gemeinde</b> informiert.</p><img src='https://tracker.example/p.gif'><script>x()</script>" * 6


def write_maildir(root: Path, count: int) -> None:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for n in range(count):
        sender = f"amt{n % 40}@gemeinde{n % 52}.de" if n % 10 else f"fremd{n}@spam.example"
        html = n % 3 == 0
        kind = 'multipart/alternative; boundary="b"' if html else "text/plain; charset=utf-8"
        body = (
            f"--b\nContent-Type: text/plain; charset=utf-8\n\n{BODY}\n--b\nContent-Type: text/html\n\n{HTML}\n--b--\n"
        )
        message = (
            f"From: Amt <{sender}>\nSubject: Meldung {n}\nDate: Tue, 24 Mar 2020 10:{n % 60:02d}:00 +0100\n"
            f"Message-ID: <m{n}@bench.example>\nMIME-Version: 1.0\nContent-Type: {kind}\n\n" + (body if html else BODY)
        )
        (root / "new" / f"17000{n:06d}.M{n}P1.bench").write_text(message, encoding="utf-8")


def unflag(root: Path) -> None:
    for path in list((root / "cur").iterdir()):
        path.rename(root / "new" / path.name.split(":2,")[0])


def naive_rerun(root: Path, factory, source_id: str) -> int:  # type: ignore[no-untyped-def]
    """Re-parse every whole message and look its key up one query at a time."""
    found = 0
    with transaction(factory) as session:
        for path in sorted((root / "new").iterdir()):
            mail = parse_mail(path.read_bytes())
            query = select(MailMessageRow.id).where(
                MailMessageRow.source_id == source_id, MailMessageRow.message_key == mail.message_key
            )
            found += session.scalar(query) is not None
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, url = Path(tmp) / "Maildir", f"sqlite:///{tmp}/bench.db"
        write_maildir(root, args.messages)
        engine = make_engine(url)
        upgrade(engine)
        factory = session_factory(engine)
        config = parse_mailbox({"maildir": str(root), "allowed_senders": [f"@gemeinde{i}.de" for i in range(52)]})
        with transaction(factory) as session:
            upsert_source(session, SourceSpec("postfach", "Postfach", "mailbox", config.address, 900, True,
                                              {"mailbox": config.to_dict()}), origin="catalog")  # fmt: skip

        def run() -> tuple[float, object]:
            reader = MaildirReader(root, config.max_message_bytes)
            start = time.perf_counter()
            result = intake("postfach", reader, config, lambda: transaction(factory), lambda: datetime.now(UTC))
            return time.perf_counter() - start, result

        first, result = run()
        print(f"first intake: {args.messages} messages in {first:.2f} s = {args.messages / first:,.0f} msg/s  {result}")
        flagged, result = run()
        print(f"rerun, flags kept: {flagged * 1000:.1f} ms  {result}")
        unflag(root)
        ours, result = run()
        print(f"rerun, flags lost (ours: header block + batched index): {ours:.2f} s  {result}")
        unflag(root)
        start = time.perf_counter()
        known = naive_rerun(root, factory, "postfach")
        naive = time.perf_counter() - start
        print(f"rerun, flags lost (naive: full re-parse + one query each): {naive:.2f} s  ({known} known)")
        print(f"ratio naive/ours: {naive / ours:.1f}x   first intake/flags-lost rerun: {first / ours:.1f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
