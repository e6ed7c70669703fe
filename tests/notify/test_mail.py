"""Mail goes through a real SMTP server on 127.0.0.1 (aiosmtpd); without a host nothing is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notify.mail import MailError, send_mail
from tests.httpserver import free_port
from tests.smtp import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def test_mail_reaches_the_server(make_settings, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    assert send_mail(settings, ["anna@example.org"], "Quelle gestört: Grüße", "Die HWK-Liste ist leer.\n")
    [message] = inbox.messages
    assert message["To"] == "anna@example.org"
    assert "Grüße" in str(message.get("Subject")) or "=?utf-8?" in message["Subject"]
    assert "HWK-Liste" in message.get_payload(decode=True).decode()


def test_no_host_means_nothing_is_sent(make_settings) -> None:  # type: ignore[no-untyped-def]
    assert send_mail(make_settings(), ["anna@example.org"], "x", "y") is False


def test_unreachable_server_is_a_clear_error(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False)
    with pytest.raises(MailError, match="nicht versandt"):
        send_mail(settings, ["anna@example.org"], "x", "y", timeout=2)
