"""Texts of the Kauf-regional mails (double opt-in, "Ist Ihr Angebot noch aktuell?"); sending goes through
``notify.mail.send_mail`` (RUBRIK_SMTP_*), which sends nothing without a configured host."""

from __future__ import annotations


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
