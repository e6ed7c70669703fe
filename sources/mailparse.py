"""One e-mail message → what the intake stores: sender, subject, date, clean text/HTML, attachment list.

Distrust every byte, as with harvested pages: HTML mail goes through the same allowlist as harvested HTML
(no images — so no tracking pixels —, no scripts, no styles, no forms); attachments are only *listed* (name,
type, size), never decoded into the item, executed or rendered; charsets are decoded as declared, falling
back to the harvest's detection; the caller hands in at most ``max_bytes`` of the message, so a huge
attachment is never held in memory whole (its size then comes from the mailbox, marked "mindestens").
"""

from __future__ import annotations

import codecs
import email
import email.policy
import email.utils
import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message

from process.charset import decode_bytes
from process.model import Entry
from process.sanitize import clean_html
from process.text import one_line, plain_text

_AS_CP1252 = frozenset({"us-ascii", "ascii", "latin-1", "latin1", "iso-8859-1", "iso8859-1"})
_HEAD_FIELDS = ("message-id", "from", "date", "subject")
HEAD_BYTES = 16_384  # the header block is read from this many first bytes (a longer one is cut: same key)


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int
    at_least: bool = False  # the message was cut at the byte cap inside this part

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "type": self.content_type, "size": self.size, "at_least": self.at_least}


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_key: str  # sha256 of the Message-ID (or of the head fields when it has none)
    message_id: str
    sender: str  # lower-case address
    sender_name: str
    subject: str
    received_at: datetime | None
    text: str  # plain text of the body
    summary_html: str  # allowlist HTML (from the HTML part, else the text as paragraphs)
    attachments: tuple[Attachment, ...]
    truncated: bool


def message_key(message_id: str, head: bytes = b"") -> str:
    """The processed-index key: the Message-ID when there is one, else a digest of the raw head."""
    basis = message_id.strip().strip("<>").lower() if message_id.strip() else "head\0" + head.hex()
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()


def head_key(raw_head: bytes) -> str:
    """The key from the first bytes of a message (the header block): cheap, for the "already seen?" check."""
    end = raw_head.find(b"\n\n")
    end = raw_head.find(b"\r\n\r\n") if end < 0 else end
    head = raw_head if end < 0 else raw_head[:end]
    parsed = email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)
    return message_key(str(parsed.get("Message-ID", "") or ""), _head_digest_source(parsed))


def _head_digest_source(message: Message) -> bytes:
    return "\0".join(str(message.get(name, "") or "") for name in _HEAD_FIELDS[1:]).encode("utf-8", "replace")


def parse_mail(raw: bytes, *, truncated: bool = False, full_size: int | None = None) -> ParsedMail:
    """Parse ``raw`` (at most the cap of a message; ``truncated`` says it was cut, ``full_size`` its real size)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    message_id = _header(message, "Message-ID")
    key = head_key(raw[:HEAD_BYTES])  # the same key the cheap "already seen?" check computes
    name, address = email.utils.parseaddr(_header(message, "From"))
    text, html_body, attachments = _walk(message)
    if truncated and full_size is not None:
        attachments = _mark_cut(attachments, full_size - len(raw))
    summary = clean_html(html_body, base_url=None) if html_body else _paragraphs(text)
    body_text = plain_text(text or html_body)
    return ParsedMail(
        message_key=key, message_id=message_id, sender=address.strip().lower(), sender_name=one_line(name),
        subject=one_line(_header(message, "Subject")), received_at=_date(_header(message, "Date")), text=body_text,
        summary_html=summary, attachments=tuple(attachments), truncated=truncated,
    )  # fmt: skip


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name, "")
        return str(value or "")
    except (ValueError, LookupError, TypeError):  # malformed encoded words, unknown charsets in headers
        raw = message.get_all(name, failobj=[""])
        return str(raw[0]) if raw else ""


def _walk(message: EmailMessage) -> tuple[str, str, list[Attachment]]:
    """First text/plain and first text/html body part; every other leaf part is an attachment."""
    text, html_body, attachments = "", "", []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = _filename(part)
        if disposition != "attachment" and not filename and content_type in ("text/plain", "text/html"):
            body = _decode(part)
            if content_type == "text/plain" and not text:
                text = body
                continue
            if content_type == "text/html" and not html_body:
                html_body = body
                continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        attachments.append(Attachment(filename or "(ohne Namen)", content_type, size))
    return text, html_body, attachments


def _filename(part: Message) -> str:
    try:
        return one_line(part.get_filename() or "", 200)
    except (ValueError, LookupError, TypeError):
        return "(unlesbarer Name)"


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    declared = (part.get_content_charset() or "").strip().lower()
    codec = "cp1252" if declared in _AS_CP1252 else _codec(declared)
    if codec is not None:
        try:
            return payload.decode(codec)
        except UnicodeDecodeError:
            pass
    return decode_bytes(payload, None)[0]  # valid UTF-8, else windows-1252 (as the harvest does)


def _codec(label: str) -> str | None:
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    return info.name if info._is_text_encoding else None


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in plain_text(text).split("\n\n") if block.strip()]
    return "".join("<p>" + html.escape(block).replace("\n", "<br>") + "</p>" for block in blocks)


def _mark_cut(attachments: list[Attachment], missing: int) -> list[Attachment]:
    """The last part was cut at the cap: its true size is at least what we saw plus what we did not read."""
    if not attachments:
        return [Attachment("(abgeschnittener Rest)", "application/octet-stream", missing, at_least=True)]
    last = attachments[-1]
    return [*attachments[:-1], Attachment(last.name, last.content_type, last.size + missing, at_least=True)]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def to_entry(mail: ParsedMail, *, received_fallback: datetime) -> Entry:
    """The pending item a message from an allowed sender becomes. Sender, date and attachments are part of the
    plain text staff review (not of the public summary)."""
    received = mail.received_at or received_fallback
    listing = "; ".join(f"{a.name} ({a.content_type}, {_size(a)})" for a in mail.attachments) or "keine"
    head = f"Von: {mail.sender_name} <{mail.sender}>\nEingegangen: {received.isoformat()}\nAnhänge: {listing}"
    summary = mail.summary_html
    if mail.attachments:
        names = "".join(f"<li>{html.escape(a.name)} ({html.escape(_size(a))})</li>" for a in mail.attachments)
        summary += f"<p>Anhänge (nicht geöffnet):</p><ul>{names}</ul>"
    title = mail.subject or "(ohne Betreff)"
    digest = hashlib.sha256(f"{title}\0{summary}\0{mail.text}".encode()).hexdigest()
    return Entry(
        identity=f"mail:{mail.message_key}", guid=mail.message_id or None, url=None, title=title,
        summary_html=summary, content_text=f"{head}\n\n{mail.text}", published_at=received, content_hash=digest,
        warnings=("Nachricht am Größenlimit abgeschnitten",) if mail.truncated else (),
    )  # fmt: skip


def _size(attachment: Attachment) -> str:
    value = f"{attachment.size / 1024:.0f} KB" if attachment.size >= 1024 else f"{attachment.size} Byte"
    return ("mindestens " if attachment.at_least else "") + value
