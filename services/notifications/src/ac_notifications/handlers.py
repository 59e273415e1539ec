"""Events that call for a message -> contacts, audiences and once-only messages.

Runs in the consumer runner's transaction (effects exactly once); a message
row's idempotency key (cause, kind, person) makes a redelivered cause a no-op.
Nothing is sent here: the sender (`delivery.py`) does that, checking consent
at send time.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

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
    Role,
    SubjectErased,
    UserRegistered,
    VacancyPosted,
)
from ac_events.catalogue.matching import (
    ApplicationStatusChanged,
    ApplicationWithdrawn,
    VacancyRevised,
)
from ac_events.consumer import Handler
from ac_events.envelope import Envelope
from ac_events.keyring import Keyring
from ac_notifications import store, store_recruitment
from ac_notifications.accounts import account_handlers
from ac_notifications.commands import queue
from ac_notifications.desk import make_desk_handlers
from ac_notifications.domain import (
    Alert,
    Announcement,
    Consented,
    alert_matches,
    concerned,
)
from ac_notifications.sealing import seal

GROUP = "notifications"
SOURCES = ("identity", "consent", "matching", "desk")


def _announcement(row: asyncpg.Record) -> Announcement:
    return Announcement(frozenset(row["purposes"]), row["policy_position"], row["opt_out_deadline"])


def _consented(row: asyncpg.Record) -> Consented:
    granted_at = row["granted_at"] or datetime.min.replace(tzinfo=UTC)  # kept before 0002
    return Consented(row["purpose"], row["policy_position"], granted_at)


async def announce(
    conn: asyncpg.Connection,
    cause: UUID,
    kind: NotificationKind,
    announcement: Announcement,
    params: dict[str, Any],
) -> None:
    """Keeps the announcement for consents read later, and tells those read already."""
    purposes = sorted(announcement.purposes)
    await store.add_announcement(
        conn,
        cause,
        kind.value,
        purposes,
        announcement.policy_position,
        announcement.opt_out_deadline,
        params,
    )
    for row in await store.consented(conn, purposes):
        if concerned(announcement, _consented(row)):
            await queue(conn, cause, kind, row["subject_id"], params)


def make_handlers(keyring: Keyring) -> dict[str, Handler]:
    async def key(subject_id: str) -> bytes | None:
        k = await keyring.key_for(subject_id)
        return k if isinstance(k, bytes) else None

    async def registered(conn: asyncpg.Connection, env: Envelope[UserRegistered]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject) if subject else None
        if subject is None or k is None or not isinstance(e.email, str):
            return  # erased before we saw it: nobody to write to
        await store.save_contact(conn, subject, seal(k, subject, "address", e.email), e.language,
                                 e.role, e.organization_id)  # fmt: skip
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
        """Joins the audience, and is told of the announcements read before it that concern it."""
        subject, e = env.subject_id, env.payload
        if not subject:
            return
        purpose = e.purpose.value
        await store.set_audience(
            conn, e.consent_id, subject, purpose, True, e.policy_version, env.occurred_at
        )
        announcements = await store.announcements_for(conn, purpose)
        if not announcements:  # the usual case: nothing announced for this purpose
            return
        position = await store.policy_position(conn, e.policy_version)
        consent = Consented(purpose, position, env.occurred_at)
        for row in announcements:
            if concerned(_announcement(row), consent):
                params = orjson.loads(row["params"])
                await queue(conn, row["event_id"], NotificationKind(row["kind"]), subject, params)

    async def withdrawn(conn: asyncpg.Connection, env: Envelope[ConsentWithdrawn]) -> None:
        if env.subject_id:
            e = env.payload
            await store.set_audience(conn, e.consent_id, env.subject_id, e.purpose.value, False)

    async def policy(conn: asyncpg.Connection, env: Envelope[PolicyPublished]) -> None:
        version, position = env.payload.policy_version, env.stream_version
        await store.add_policy_version(conn, version, position)
        purposes = sorted({c.purpose.value for c in env.payload.changes if c.significant})
        if purposes:
            params = {"policy_version": version, "purposes": purposes}
            change = Announcement(frozenset(purposes), policy_position=position)
            await announce(conn, env.event_id, NotificationKind.POLICY_CHANGE, change, params)

    async def transfer(conn: asyncpg.Connection, env: Envelope[BusinessTransferAnnounced]) -> None:
        e = env.payload
        purposes = sorted(p.value for p in e.purposes)
        params = {
            "transfer_id": str(e.transfer_id),
            "acquirer_name": e.acquirer_name,
            "purposes": purposes,
            "deadline": e.opt_out_deadline.isoformat(),
        }
        announcement = Announcement(frozenset(purposes), opt_out_deadline=e.opt_out_deadline)
        await announce(conn, env.event_id, NotificationKind.BUSINESS_TRANSFER, announcement, params)

    async def shared(conn: asyncpg.Connection, env: Envelope[DataShared]) -> None:
        e = env.payload
        if env.subject_id and not (e.legal is not None and e.legal.notice_withheld):
            params = {
                "recipient_legal_name": e.recipient_legal_name,
                "recipient_country": e.recipient_country,
                "data_items": [i.value for i in e.data_items],
                "purpose": e.purpose.value,
                "shared_at": e.shared_at.date().isoformat(),
                "legal_basis": e.legal.basis.value if e.legal is not None else None,
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
        await store_recruitment.save_title(conn, e.vacancy_id, e.title)
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

    async def titled(
        conn: asyncpg.Connection, env: Envelope[VacancyPosted | VacancyRevised]
    ) -> None:
        await store_recruitment.save_title(conn, env.payload.vacancy_id, env.payload.title)

    async def moved(conn: asyncpg.Connection, env: Envelope[ApplicationStatusChanged]) -> None:
        """The student is told of each step the organisation takes (not of their own)."""
        e = env.payload
        if env.subject_id and e.moved_by_role is not Role.STUDENT:
            params = {"application_id": str(e.application_id), "from_state": e.from_state.value,
                      "to_state": e.to_state.value, "has_message": isinstance(e.message, str),
                      "title": await store_recruitment.title(conn, e.vacancy_id)}  # fmt: skip
            await queue(
                conn, env.event_id, NotificationKind.APPLICATION_STATUS, env.subject_id, params
            )

    async def withdrawn_application(
        conn: asyncpg.Connection, env: Envelope[ApplicationWithdrawn]
    ) -> None:
        """Every user of the organisation is told (never who the student was)."""
        e = env.payload
        params = {"application_id": str(e.application_id), "cause": e.cause.value,
                  "title": await store_recruitment.title(conn, e.vacancy_id)}  # fmt: skip
        for client in await store.client_users(conn, e.organization_id):
            await queue(conn, env.event_id, NotificationKind.APPLICATION_WITHDRAWN, client, params)

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
        (VacancyRevised, titled),
        (ApplicationStatusChanged, moved),
        (ApplicationWithdrawn, withdrawn_application),
        (ErasureRequested, erasure_requested),
        (SubjectErased, erased),
        *make_desk_handlers(key),
    ]
    return {event.type: handler for event, handler in table} | account_handlers(keyring)
