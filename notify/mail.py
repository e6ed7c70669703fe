"""Plain-text e-mail through the configured SMTP server.

Every mail rubrik sends goes through :func:`send_mail`: double opt-in, reminders and alerts alike. Without
``RUBRIK_SMTP_HOST`` nothing is sent anywhere (the function says so by returning False).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from settings import Settings


class MailError(RuntimeError):
    """The SMTP server refused or could not be reached; the message was not sent."""


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(settings: Settings, to: Sequence[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: Sequence[str], subject: str, body: str, *, timeout: float = 30.0) -> bool:
    """Send one plain-text mail; False when no SMTP server is configured or there is no recipient."""
    if not mail_configured(settings) or not to:
        return False
    message = build_message(settings, to, subject, body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"E-Mail an {', '.join(to)} nicht versandt: {error}") from error
    return True
