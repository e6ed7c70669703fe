"""Outgoing mail over SMTP (stdlib smtplib): double opt-in and re-confirmation of Kauf-regional entries.

Configured by RUBRIK_SMTP_*; without a host nothing is ever sent (``MailConfig.from_settings`` returns None).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from settings import Settings


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True, slots=True)
class MailConfig:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig | None:
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
            settings.smtp_from, settings.smtp_starttls,
        )  # fmt: skip


def send_mail(config: MailConfig, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; any SMTP or network problem becomes :class:`MailError`."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, to, subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain=_domain(config.sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=20) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"E-Mail an {to} nicht versandt: {exc}") from exc


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def confirmation_mail(name: str, confirm_url: str, manage_url: str) -> tuple[str, str]:
    subject = "Kauf regional: Bitte bestätigen Sie Ihren Eintrag"
    body = (
        f"Guten Tag,\n\nfür „{name}“ wurde ein Eintrag im Verzeichnis „Kauf regional“ des Landkreises "
        f"Mittelsachsen angelegt. Bitte bestätigen Sie ihn über diesen Link:\n\n{confirm_url}\n\n"
        "Erst danach prüft die Wirtschaftsförderung den Eintrag. Wenn Sie ihn nicht angelegt haben, "
        "ignorieren Sie diese E-Mail einfach.\n\n"
        f"Über Ihren privaten Link können Sie den Eintrag später ändern oder zurückziehen:\n\n{manage_url}\n\n"
        "Bitte geben Sie diesen Link nicht weiter.\n"
    )
    return subject, body


def reminder_mail(name: str, manage_url: str, grace_days: int) -> tuple[str, str]:
    subject = "Kauf regional: Ist Ihr Angebot noch aktuell?"
    body = (
        f"Guten Tag,\n\nist Ihr Angebot „{name}“ im Verzeichnis „Kauf regional“ noch aktuell? Bitte bestätigen, "
        f"ändern oder entfernen Sie es über Ihren privaten Link:\n\n{manage_url}\n\n"
        f"Ohne Bestätigung verschwindet der Eintrag in {grace_days} Tagen aus dem öffentlichen Verzeichnis.\n"
    )
    return subject, body
