"""The e-mail intake of one ``mailbox`` source: read new messages, store them, then mark them processed.

Order matters for "nothing twice": the database commit comes first, the mailbox flag second. A crash in
between leaves an unflagged message whose key is already stored; the next run recognises it by the key
(one indexed query, no body read) and only sets the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from sources.mailbox import MailboxConfig, MailReader, RawMail, open_reader, parse_mailbox, sender_allowed
from sources.mailparse import ParsedMail, parse_mail, to_entry
from store import mail_repo
from store.mail_repo import MailRecord

BATCH = 200  # messages parsed and stored per transaction (bounded memory on a large backlog)


@dataclass(frozen=True, slots=True)
class IntakeResult:
    seen: int  # unflagged messages found
    new: int  # items created (allowed senders)
    held: int  # held (unknown senders)
    already: int  # key already stored: only flagged now
    truncated: int  # cut at the size cap


def intake(
    source_id: str,
    reader: MailReader,
    config: MailboxConfig,
    write: Callable[[], AbstractContextManager[Session]],
    now: Callable[[], datetime],
) -> IntakeResult:
    """Process every unflagged message of ``reader`` once; ``write`` opens a write transaction."""
    heads = list(reader.heads())
    with write() as session:
        known = mail_repo.known_keys(session, source_id, [head.key for head in heads])
    done = [head.ref for head in heads if head.key in known]
    fresh = [head.ref for head in heads if head.key not in known]
    new = held = truncated = 0
    for batch in _batches(reader.fetch(fresh), BATCH):
        records = [_record(raw, parse_mail(raw.data, truncated=raw.truncated, full_size=raw.size), config, now())
                   for raw in batch]  # fmt: skip
        with write() as session:
            counts, held_now = mail_repo.record_mail(session, source_id, records, now())
        new, held = new + counts.new, held + held_now
        truncated += sum(raw.truncated for raw in batch)
        reader.mark_processed([raw.ref for raw in batch])  # after the commit, never before
    reader.mark_processed(done)
    return IntakeResult(len(heads), new, held, len(done), truncated)


def _batches(raws: Iterator[RawMail], size: int) -> Iterator[list[RawMail]]:
    batch: list[RawMail] = []
    for raw in raws:
        batch.append(raw)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _record(raw: RawMail, mail: ParsedMail, config: MailboxConfig, now: datetime) -> MailRecord:
    allowed = sender_allowed(mail.sender, config.allowed_senders)
    received = mail.received_at or raw.arrived_at or now
    return MailRecord(
        message_key=mail.message_key, message_id=mail.message_id, sender=mail.sender, subject=mail.subject,
        received_at=received, text=mail.text, attachments=tuple(a.to_json() for a in mail.attachments),
        entry=to_entry(mail, received_fallback=received) if allowed else None,
    )  # fmt: skip


def reader_for(config_data: object, *, secret: Callable[[str], str | None], timeout: float) -> tuple[
    MailboxConfig, MailReader
]:  # fmt: skip
    """The validated config and an open reader; ``secret`` looks up the password variable (settings.py)."""
    config = parse_mailbox(config_data)
    password = secret(config.password_env) if config.password_env else None
    return config, open_reader(config, password=password, timeout=timeout)
