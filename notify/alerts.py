"""Broken sources reach staff once per distinct error until they recover — a digest, not a mail per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notify.mail import mail_configured, send_mail
from settings import Settings
from store import alerts_repo
from store.alerts_repo import Broken
from store.db import make_engine, session_factory, transaction


@dataclass(frozen=True, slots=True)
class AlertResult:
    new: tuple[str, ...]  # newly broken source ids staff have not been told about (the digest, if sent)
    recovered: tuple[str, ...]
    sent: bool  # False when there was nothing new, or no SMTP server / recipient is configured


def digest_text(new: Sequence[Broken], recovered: Sequence[str], *, now: datetime) -> tuple[str, str]:
    """Subject and body of the digest (plain text, German)."""
    subject = f"rubrik: {len(new)} Quelle(n) gestört" + (f", {len(recovered)} wieder in Ordnung" if recovered else "")
    lines = [f"Stand: {now:%d.%m.%Y %H:%M} UTC", ""]
    if new:
        lines.append("Neu gestört (Sie werden erst wieder informiert, wenn sich der Fehler ändert):")
        for item in new:
            since = f"{item.last_success_at:%d.%m.%Y %H:%M}" if item.last_success_at else "noch nie"
            lines += [
                f"- {item.name} ({item.source_id}): {item.error_code}, {item.failures} Fehlversuche in Folge",
                f"  {item.message}".rstrip(),
                f"  Adresse: {item.url}  ·  letzter Erfolg: {since}",
            ]
    if recovered:
        lines += ["", "Wieder in Ordnung: " + ", ".join(recovered)]
    lines += ["", "Die Quellenübersicht der Prüfoberfläche zeigt Einzelheiten (/staff/sources)."]
    return subject, "\n".join(lines) + "\n"


def report_broken_sources(settings: Settings, now: datetime) -> AlertResult:
    """Mail a digest of newly broken (and recovered) sources to ``RUBRIK_ALERT_EMAILS``.

    A source counts as broken after ``RUBRIK_ALERT_AFTER_FAILURES`` failures in a row. It is reported again only
    when its error code changes or after it recovered. Without SMTP or recipients nothing is marked as reported,
    so the first digest after configuring mail still carries everything.
    """
    engine = make_engine(settings.database_url)
    try:
        factory = session_factory(engine)
        with transaction(factory) as session:
            broken = alerts_repo.broken_sources(session, min_failures=settings.alert_after_failures)
            new = alerts_repo.unreported(session, broken)
            can_send = mail_configured(settings) and bool(settings.alert_emails)
            recovered = alerts_repo.recovered(session) if can_send else []
            sent = False
            if can_send and (new or recovered):
                subject, body = digest_text(new, recovered, now=now)
                sent = send_mail(settings, settings.alert_emails, subject, body)
                alerts_repo.mark_reported(session, new, now)
            return AlertResult(tuple(item.source_id for item in new), tuple(recovered), sent)
    finally:
        engine.dispose()
