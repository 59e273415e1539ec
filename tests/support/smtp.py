"""A real SMTP server for tests (aiosmtpd, its own thread), that records what it accepts.

Addresses at `invalid.example` are refused with 550 (a permanently bad
address); `stop()` / `start()` take the server down and bring it back on the
same port.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.net import free_port

CODE = re.compile(r"\b(\d{6})\b")
"""A step-up code in an email's subject (six digits alone: a reference's UUID is never)."""

REFUSED_DOMAIN = "invalid.example"


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    body: str
    idempotency_key: str


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_s: float = 0.0
    """How long the server takes to accept each message (to make a batch last)."""
    data_failures: int = 0
    """How many messages to answer `500` after `DATA` before accepting any (as the local sink
    of wave 1 did, without its maildir folders)."""
    refused_data: int = 0
    """How many `DATA` commands were answered with that 500."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.data_failures > 0:
                self.data_failures -= 1
                self.refused_data += 1
                return "500 Error: (FileNotFoundError) [Errno 2] No such file or directory"
        raw = (
            envelope.content
            if isinstance(envelope.content, bytes)
            else str(envelope.content).encode()
        )
        parsed: Any = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        with self.lock:
            self.messages.append(
                Received(
                    message_id=str(parsed["Message-ID"]),
                    to=str(parsed["To"]),
                    subject=str(parsed["Subject"]),
                    body=body.get_content() if body is not None else "",
                    idempotency_key=str(parsed["X-AC-Idempotency-Key"]),
                )
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if m.to == address]


class SmtpServer:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.port = free_port()
        self.inbox = Inbox(delay_s=delay_s)
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
