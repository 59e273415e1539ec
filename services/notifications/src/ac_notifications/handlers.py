"""Events that call for a message -> contacts, audiences and once-only messages.

Runs in the consumer runner's transaction (effects exactly once); a message
row's idempotency key (cause, kind, person) makes a redelivered cause a no-op.
Nothing is sent here: the sender (`delivery.py`) does that, checking consent
at send time.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

import asyncpg

from ac_events.catalogue import (
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    DataShareBlocked,
    DataShared,
    ErasureRequested,
    NotificationKind,
    PolicyPublished,
    ProfileUpdated,
    SubjectErased,
    UserRegistered,
    VacancyPosted,
)
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_notifications import store
from ac_notifications.domain import NEEDS_CONSENT, Alert, alert_matches, idempotency_key, message_id
from ac_notifications.sealing import seal

GROUP = "notifications"
SOURCES = ("identity", "consent", "matching")


async def queue(
    conn: asyncpg.Connection,
    cause: UUID,
    kind: NotificationKind,
    subject_id: str,
    params: dict[str, Any],
) -> None:
    key = idempotency_key(str(cause), kind, subject_id)
    purpose = NEEDS_CONSENT.get(kind)
    await store.add_message(
        conn,
        message_id(key),
        key,
        subject_id,
        kind.value,
        cause,
        params,
        purpose.value if purpose else None,
    )


def make_handlers(keyring: Keyring) -> dict[str, Handler]:
    async def key(subject_id: str) -> bytes | None:
        k = await keyring.key_for(subject_id)
        return k if isinstance(k, bytes) else None

    async def registered(conn: asyncpg.Connection, env: Envelope[UserRegistered]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject) if subject else None
        if subject is None or k is None or not isinstance(e.email, str):
            return  # erased before we saw it: nobody to write to
        await store.save_contact(
            conn, subject, seal(k, subject, "address", e.email), e.language, e.role
        )
        if isinstance(e.verification_token, str):
            token = seal(k, subject, "verification_token", e.verification_token)
            await queue(
                conn, env.event_id, NotificationKind.EMAIL_VERIFICATION, subject, {"token": token}
            )

    async def profile(conn: asyncpg.Connection, env: Envelope[ProfileUpdated]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject) if subject else None
        if subject is None or k is None:
            return
        address = seal(k, subject, "address", e.email) if isinstance(e.email, str) else None
        await store.update_contact(conn, subject, address, e.language.value if e.language else None)

    async def granted(conn: asyncpg.Connection, env: Envelope[ConsentGranted]) -> None:
        if env.subject_id:
            e = env.payload
            await store.set_audience(conn, e.consent_id, env.subject_id, e.purpose.value, True)

    async def withdrawn(conn: asyncpg.Connection, env: Envelope[ConsentWithdrawn]) -> None:
        if env.subject_id:
            e = env.payload
            await store.set_audience(conn, e.consent_id, env.subject_id, e.purpose.value, False)

    async def policy(conn: asyncpg.Connection, env: Envelope[PolicyPublished]) -> None:
        purposes = sorted({c.purpose.value for c in env.payload.changes if c.significant})
        if not purposes:
            return
        params = {"policy_version": env.payload.policy_version, "purposes": purposes}
        for subject in await store.audience(conn, purposes):
            await queue(conn, env.event_id, NotificationKind.POLICY_CHANGE, subject, params)

    async def transfer(conn: asyncpg.Connection, env: Envelope[BusinessTransferAnnounced]) -> None:
        e = env.payload
        purposes = sorted(p.value for p in e.purposes)
        params = {
            "transfer_id": str(e.transfer_id),
            "acquirer_name": e.acquirer_name,
            "purposes": purposes,
            "deadline": e.opt_out_deadline.isoformat(),
        }
        for subject in await store.audience(conn, purposes):
            await queue(conn, env.event_id, NotificationKind.BUSINESS_TRANSFER, subject, params)

    async def shared(conn: asyncpg.Connection, env: Envelope[DataShared]) -> None:
        if env.subject_id:
            e = env.payload
            params = {
                "recipient_legal_name": e.recipient_legal_name,
                "recipient_country": e.recipient_country,
                "data_items": [i.value for i in e.data_items],
                "purpose": e.purpose.value,
                "shared_at": e.shared_at.date().isoformat(),
            }
            await queue(conn, env.event_id, NotificationKind.DISCLOSURE, env.subject_id, params)

    async def blocked(conn: asyncpg.Connection, env: Envelope[DataShareBlocked]) -> None:
        if env.subject_id:
            e = env.payload
            params = {
                "organization_id": e.organization_id,
                "reason": e.reason.value,
                "missing": e.missing,
            }
            await queue(
                conn, env.event_id, NotificationKind.APPLICATION_BLOCKED, env.subject_id, params
            )

    async def vacancy(conn: asyncpg.Connection, env: Envelope[VacancyPosted]) -> None:
        e = env.payload
        text = " ".join([e.title, e.description, *e.skills])
        params = {"title": e.title, "country": e.location_country, "vacancy_id": str(e.vacancy_id)}
        for sub in await store.active_subscriptions(conn):
            alert = Alert(tuple(sub["keywords"]), tuple(sub["countries"]))
            if alert_matches(alert, text, e.location_country):
                await queue(
                    conn, env.event_id, NotificationKind.JOB_ALERT, sub["subject_id"], params
                )

    async def erasure_requested(conn: asyncpg.Connection, env: Envelope[ErasureRequested]) -> None:
        if env.subject_id:
            params = {"requested_at": env.occurred_at.date().isoformat()}
            await queue(
                conn, env.event_id, NotificationKind.ERASURE_CONFIRMATION, env.subject_id, params
            )

    async def erased(conn: asyncpg.Connection, env: Envelope[SubjectErased]) -> None:
        if env.subject_id:
            await store.forget_person(conn, env.subject_id)

    table: list[
        tuple[type[Any], Callable[[asyncpg.Connection, Any], Coroutine[Any, Any, None]]]
    ] = [
        (UserRegistered, registered),
        (ProfileUpdated, profile),
        (ConsentGranted, granted),
        (ConsentWithdrawn, withdrawn),
        (PolicyPublished, policy),
        (BusinessTransferAnnounced, transfer),
        (DataShared, shared),
        (DataShareBlocked, blocked),
        (VacancyPosted, vacancy),
        (ErasureRequested, erasure_requested),
        (SubjectErased, erased),
    ]
    return {event.type: handler for event, handler in table}
