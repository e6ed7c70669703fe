"""Mail goes through a real SMTP server on 127.0.0.1 (aiosmtpd); without a host nothing is sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notify.mail import MailError, send_mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


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
