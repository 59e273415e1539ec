"""The sender: due messages -> consent checked at send time -> SMTP -> recorded.

A message is claimed (`sending`, leased) in one transaction, sent, then
marked `sent` with `NotificationSent` in another. Its SMTP `Message-ID` is
derived from its idempotency key, so the one case that can repeat a send —
the process dying after the server accepted it and before the commit — sends
the same Message-ID again, which mail systems collapse; at most the messages
in flight at the crash (one at a time here) can repeat.

Failures: only a 5xx refusal of the address (`RCPT TO`) is permanent:
`NotificationFailed(permanent=True)`, no retry. Anything else is the relay's
trouble (the server down or refusing connections, a 4xx, a 5xx to `MAIL` or
`DATA`, as a local sink without its folder answers) and retries with
exponential back-off until `max_attempts`, then fails with its last reason.

One bad message never holds up the others: a message that cannot be composed (a
template that does not render, a header the email library refuses) fails at once,
permanently, with its reason; any other error is that message's, retried with
back-off like a transient failure; and every path is capped at `max_attempts` (a
claimed message over the cap is marked `failed`, whatever keeps failing it).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import asyncpg
import httpx
import orjson
from jinja2 import TemplateError

from ac_contracts.processors import declared
from ac_events.catalogue import (
    Language,
    NotificationFailed,
    NotificationKind,
    NotificationSent,
    Purpose,
    UseRef,
)
from ac_events.catalogue.streams import notifications_stream
from ac_events.consumer import is_connection_error
from ac_events.keyring import Keyring
from ac_events.store import EventStore
from ac_notifications import desk, store
from ac_notifications.commands import RECORDS_NEED_NO_VERSION
from ac_notifications.domain import (
    Outcome,
    Stage,
    retry_delay,
    smtp_outcome,
    unsubscribe_token,
)
from ac_notifications.render import render
from ac_notifications.sealing import unseal
from ac_notifications.settings import NotificationsSettings
from ac_platform.clock import Clock, utc_now
from ac_platform.peers import ConsentClient, ConsentUnavailable
from ac_platform.uses import ask_use, message_use, owed_use

log = logging.getLogger(__name__)

RELAY = declared(__name__)
"""The SMTP relay is a processor (names and addresses go through it): declared in
`ac_contracts.processors.SENDS`, registered at the desk [B] #17."""

MESSAGE_DOMAIN = "activeconnector.example"
DESK_MESSAGES = desk.DESK_KINDS | {
    NotificationKind.DESK_DEADLINE,
    NotificationKind.RECIPIENT_NOTICE,
}


class Sender:
    def __init__(
        self,
        settings: NotificationsSettings,
        events: EventStore,
        keyring: Keyring,
        consent: ConsentClient,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.keyring = keyring
        self.consent = consent
        self._link_key = settings.link_key.get_secret_value().encode()
        self.oldest_undelivered: datetime | None = None
        """When the oldest message still `pending` or `sending` was queued."""

    async def send_due(self) -> int:
        """Sends what is due now; returns how many messages were handled."""
        now = self.clock()
        lease = now + timedelta(seconds=self.settings.sending_lease_s)
        claimed = await store.claim_due(self.pool, now, lease, self.settings.send_batch)
        for row in claimed:
            await self._deliver(row)
        self.oldest_undelivered = await store.oldest_undelivered(self.pool)
        return len(claimed)

    def waited_s(self) -> float:
        """How long the oldest message not delivered yet has waited (0 when none)."""
        oldest = self.oldest_undelivered
        return max(0.0, (self.clock() - oldest).total_seconds()) if oldest else 0.0

    async def _deliver(self, row: asyncpg.Record) -> None:
        """One message; whatever becomes of it, the messages after it go on (a message that
        raises on every attempt is retried with back-off, then ends `failed`, and never
        holds up the others)."""
        if int(row["attempts"]) > self.settings.max_attempts:
            error = f"gave up after {self.settings.max_attempts} attempts: {row['last_error']}"
            await self._end(row, "failed", error, None, None, permanent=False)
            return
        try:
            await self._try(row)
        except (httpx.HTTPError, ConnectionError, ConsentUnavailable) as exc:  # away: later
            await self._later(row, type(exc).__name__)
        except Exception as exc:
            if is_connection_error(exc):
                raise  # PostgreSQL is away: the round ends, the lease brings the rest back
            log.error("message %s cannot be sent: %s", row["message_id"], type(exc).__name__)
            if int(row["attempts"]) < self.settings.max_attempts:
                await self._later(row, type(exc).__name__)
            else:
                await self._end(row, "failed", type(exc).__name__, None, None)

    async def _try(self, row: asyncpg.Record) -> None:
        subject, kind = row["subject_id"], NotificationKind(row["kind"])
        contact = await store.contact(self.pool, subject)
        key = await self.keyring.key_for(subject)
        if not isinstance(key, bytes):
            await self._end(row, "skipped", "no address (erased or unknown person)", None, None)
            return
        if contact is None:  # identity.events not read this far yet: wait for the address
            if int(row["attempts"]) < self.settings.max_attempts:
                await self._later(row, "address not known yet")
            else:
                await self._end(row, "skipped", "no address", None, None)
            return
        address = unseal(key, subject, "address", contact["address_sealed"])
        language = Language(contact["language"])
        use = await self._use(row, kind)
        if not use.allowed:
            reason = f"no_consent: {use.denied}"
            await self._end(row, "skipped", reason, address, language, use)
            return
        try:
            message = await self._compose(row, key, kind, language, address)
        except (ValueError, TypeError, KeyError, TemplateError) as exc:  # never composable
            error = f"unrenderable: {type(exc).__name__}"
            await self._end(row, "failed", error, address, language, use)
            return
        try:
            await aiosmtplib.send(
                message,
                hostname=self.settings.smtp_host,
                port=self.settings.smtp_port,
                start_tls=self.settings.smtp_starttls,
                username=self.settings.smtp_username,
                password=self.settings.smtp_password.get_secret_value()
                if self.settings.smtp_password
                else None,
                timeout=15,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            permanent = all(smtp_outcome(c, Stage.RECIPIENT) is Outcome.PERMANENT for c in codes)
            await self._failed(row, f"refused ({codes})", address, language, use, permanent)
        except aiosmtplib.SMTPResponseException as exc:
            permanent = smtp_outcome(exc.code, Stage.RELAY) is Outcome.PERMANENT
            await self._failed(row, f"SMTP {exc.code}", address, language, use, permanent)
        except (aiosmtplib.SMTPException, OSError) as exc:
            await self._failed(row, type(exc).__name__, address, language, use, False)
        else:
            await self._sent(row, address, language, use)

    async def _compose(
        self, row: asyncpg.Record, key: bytes, kind: NotificationKind, language: Language,
        address: str,
    ) -> EmailMessage:  # fmt: skip
        title, body = render(kind, language, await self._params(row, key, language))
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = address
        message["Subject"] = title
        message["Message-ID"] = f"<{row['message_id']}@{MESSAGE_DOMAIN}>"
        message["X-AC-Idempotency-Key"] = row["idempotency_key"]
        message.set_content(body)
        return message

    async def _key_of(self, subject_id: str) -> bytes | None:
        key = await self.keyring.key_for(subject_id)
        return key if isinstance(key, bytes) else None

    async def _params(self, row: asyncpg.Record, key: bytes, language: Language) -> dict[str, Any]:
        params: dict[str, Any] = orjson.loads(row["params"])
        base, subject = self.settings.public_url, row["subject_id"]
        kind = NotificationKind(row["kind"])
        if kind in DESK_MESSAGES:
            return await desk.opened(kind, params, subject, key, language, base, self._key_of)
        if kind is NotificationKind.EMAIL_VERIFICATION:
            token = unseal(key, subject, "verification_token", params.pop("token"))
            params["link"] = f"{base}/verify-email?token={token}"
        elif kind is NotificationKind.PASSWORD_RESET:
            token = unseal(key, subject, "reset_token", params.pop("token"))
            params["link"] = f"{base}/reset-password?token={token}"
        elif kind is NotificationKind.BUSINESS_TRANSFER:
            params["link"] = f"{base}/me/transfer-objections?transfer={params['transfer_id']}"
        elif kind is NotificationKind.JOB_ALERT:
            params["link"] = f"{base}/vacancies/{params['vacancy_id']}"
        elif kind is NotificationKind.APPLICATION_STATUS:
            params["link"] = f"{base}/me/applications/{params['application_id']}"
        elif kind is NotificationKind.APPLICATION_WITHDRAWN:
            params["link"] = f"{base}/organisation/vacancies"
        else:
            params["link"] = f"{base}/me/consents"
        if row["consent_purpose"]:
            token = unsubscribe_token(self._link_key, subject, Purpose(row["consent_purpose"]))
            params["unsubscribe"] = f"{base}/unsubscribe?token={token}"  # the app asks first
        return params

    async def _use(self, row: asyncpg.Record, kind: NotificationKind) -> UseRef:
        """[E] #18: what allows this message: the consent service's decision, now, for a
        purpose that needs consent (an unreachable service defers the message; anything but
        `allow` refuses it), else the basis its kind is owed on."""
        purpose, basis = message_use(kind)
        if row["consent_purpose"]:
            return await ask_use(self.consent, row["subject_id"], Purpose(row["consent_purpose"]))
        return owed_use(purpose, basis)

    async def _sent(
        self, row: asyncpg.Record, address: str, language: Language, use: UseRef
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await store.mark_sent(conn, row["message_id"], self.clock())
            await self._record(conn, row, NotificationSent, address, language, use)

    async def _failed(
        self,
        row: asyncpg.Record,
        error: str,
        address: str,
        language: Language,
        use: UseRef,
        permanent: bool,
    ) -> None:
        attempts = int(row["attempts"])
        if not permanent and attempts < self.settings.max_attempts:
            await self._later(row, error)
            return
        await self._end(row, "failed", error, address, language, use, permanent=permanent)

    async def _later(self, row: asyncpg.Record, error: str) -> None:
        delay = retry_delay(
            int(row["attempts"]), self.settings.retry_base_s, self.settings.retry_max_s
        )
        at = self.clock() + timedelta(seconds=delay)
        await store.retry_later(self.pool, row["message_id"], at, error)
        log.info("message %s: %s, retry in %.0fs", row["message_id"], error, delay)

    async def _end(
        self,
        row: asyncpg.Record,
        status: str,
        error: str,
        address: str | None,
        language: Language | None,
        use: UseRef | None = None,
        *,
        permanent: bool = True,
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await store.mark_ended(conn, row["message_id"], status, error)
            if address is not None and language is not None and use is not None:
                await self._record(
                    conn,
                    row,
                    NotificationFailed,
                    address,
                    language,
                    use,
                    reason=error,
                    permanent=permanent,
                )

    async def _record(
        self,
        conn: asyncpg.Connection,
        row: asyncpg.Record,
        event_type: type[NotificationSent] | type[NotificationFailed],
        address: str,
        language: Language,
        use: UseRef,
        **extra: Any,
    ) -> None:
        event = event_type(
            message_id=row["message_id"],
            kind=NotificationKind(row["kind"]),
            language=language,
            idempotency_key=row["idempotency_key"],
            cause_event_id=row["cause_event_id"],
            address=address,
            use=use,
            **extra,
        )
        subject = row["subject_id"]
        await self.events.append(
            notifications_stream(subject),
            RECORDS_NEED_NO_VERSION,
            [event],
            subject_id=subject,
            conn=conn,
        )
