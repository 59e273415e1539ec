"""What the desk's events and matching's notices to recipients call for [D] #16.

- the desk's `RequestFiled` (a guest's address becomes their contact), its codes, answers,
  staff replies, warnings and escalations (to the staff the event names);
- matching's `RecipientNotified`: every user of the client organisation is told, with the
  corrected values only when the event carries them (sealed under the person's key, not
  the recipient's: the person's erasure shreds a notice not yet sent).

Personal parameters are sealed here and opened by the sender (`opened`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import asyncpg
import orjson

from ac_events.catalogue import (
    Language,
    MessagePosted,
    NotificationKind,
    RecipientNotified,
    RequestAnswered,
    RequestDueSoon,
    RequestEscalated,
    RequestFiled,
    RequestKind,
    VerificationCodeIssued,
)
from ac_events.envelope import Envelope
from ac_notifications import store
from ac_notifications.commands import queue
from ac_notifications.sealing import seal, unseal

Key = Callable[[str], Awaitable[bytes | None]]
Handler = Callable[[asyncpg.Connection, Any], Coroutine[Any, Any, None]]

WHAT = {
    Language.EN: {
        RequestKind.DISCLOSURE: "request for disclosure",
        RequestKind.CORRECTION: "request for correction",
        RequestKind.ADDITION: "request for an addition",
        RequestKind.DELETION: "request for deletion",
        RequestKind.CESSATION_OF_USE: "request to stop a use",
        RequestKind.CESSATION_OF_PROVISION: "request to stop a provision",
        RequestKind.ERASURE: "request for erasure",
        RequestKind.COMPLAINT: "complaint",
        RequestKind.ENQUIRY: "enquiry",
    },
    Language.JA: {
        RequestKind.DISCLOSURE: "開示のご請求",
        RequestKind.CORRECTION: "訂正のご請求",
        RequestKind.ADDITION: "追加のご請求",
        RequestKind.DELETION: "削除のご請求",
        RequestKind.CESSATION_OF_USE: "利用停止のご請求",
        RequestKind.CESSATION_OF_PROVISION: "第三者提供停止のご請求",
        RequestKind.ERASURE: "消去のご請求",
        RequestKind.COMPLAINT: "苦情",
        RequestKind.ENQUIRY: "お問い合わせ",
    },
}
DESK_KINDS = frozenset(
    {NotificationKind.DESK_RECEIVED, NotificationKind.DESK_CODE, NotificationKind.DESK_ANSWER}
)


def make_desk_handlers(key: Key) -> list[tuple[type[Any], Handler]]:
    async def filed(conn: asyncpg.Connection, env: Envelope[RequestFiled]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject) if subject else None
        if subject is None or k is None:
            return
        if not e.account and isinstance(e.reply_to, str):
            address = seal(k, subject, "address", e.reply_to)
            await store.save_contact(conn, subject, address, e.language, "guest")
        await store.add_desk_request(conn, e.request_id, e.kind.value, e.account)
        params = {"request_id": str(e.request_id), "kind": e.kind.value,
                  "due_at": e.due_at.date().isoformat() if e.due_at else None}  # fmt: skip
        await queue(conn, env.event_id, NotificationKind.DESK_RECEIVED, subject, params)

    async def code(conn: asyncpg.Connection, env: Envelope[VerificationCodeIssued]) -> None:
        e, subject = env.payload, env.subject_id
        k = await key(subject) if subject else None
        if subject is None or k is None or not isinstance(e.code, str):
            return
        kind = await store.desk_request_kind(conn, e.request_id)
        minutes = max(1, round((e.expires_at - env.occurred_at).total_seconds() / 60))
        params = {"request_id": str(e.request_id), "kind": kind, "minutes": minutes,
                  "code": seal(k, subject, "desk_code", e.code)}  # fmt: skip
        await queue(conn, env.event_id, NotificationKind.DESK_CODE, subject, params)

    async def told(conn: asyncpg.Connection, env: Envelope[Any], text: object, **more: Any) -> None:
        subject, request_id = env.subject_id, env.payload.request_id
        k = await key(subject) if subject else None
        if subject is None or k is None or not isinstance(text, str):
            return
        kind = await store.desk_request_kind(conn, request_id)
        params = {"request_id": str(request_id), "kind": kind,
                  "text": seal(k, subject, "desk_text", text), **more}  # fmt: skip
        await queue(conn, env.event_id, NotificationKind.DESK_ANSWER, subject, params)

    async def answered(conn: asyncpg.Connection, env: Envelope[RequestAnswered]) -> None:
        await told(conn, env, env.payload.reason, outcome=env.payload.outcome.value, reply=False)

    async def posted(conn: asyncpg.Connection, env: Envelope[MessagePosted]) -> None:
        if env.payload.by == "staff":
            await told(conn, env, env.payload.body, outcome=None, reply=True)

    async def deadline(
        conn: asyncpg.Connection, env: Envelope[RequestDueSoon | RequestEscalated]
    ) -> None:
        e = env.payload
        params = {"request_id": str(e.request_id), "due_at": e.due_at.date().isoformat(),
                  "overdue": isinstance(e, RequestEscalated)}  # fmt: skip
        for staff in e.notify:
            await queue(conn, env.event_id, NotificationKind.DESK_DEADLINE, staff, params)

    async def recipients(conn: asyncpg.Connection, env: Envelope[RecipientNotified]) -> None:
        e, person = env.payload, env.subject_id
        params: dict[str, Any] = {
            "organization_id": e.organization_id, "change": e.change,
            "items": [i.value for i in e.items],
            "disclosures": [str(d) for d in e.disclosure_ids],
            "provision_id": str(e.provision_id) if e.provision_id else None,
            "about": person, "values": None,
        }  # fmt: skip
        k = await key(person) if person else None
        if person and k is not None and isinstance(e.values, dict):
            params["values"] = seal(k, person, "recipient_values", orjson.dumps(e.values).decode())
        for user in await store.client_users(conn, e.organization_id):
            await queue(conn, env.event_id, NotificationKind.RECIPIENT_NOTICE, user, params)

    return [
        (RequestFiled, filed),
        (VerificationCodeIssued, code),
        (RequestAnswered, answered),
        (MessagePosted, posted),
        (RequestDueSoon, deadline),
        (RequestEscalated, deadline),
        (RecipientNotified, recipients),
    ]


async def opened(
    kind: NotificationKind,
    params: dict[str, Any],
    subject: str,
    key: bytes,
    language: Language,
    base: str,
    key_of: Key,
) -> dict[str, Any]:
    """The parameters of a desk message or a notice to a recipient, opened for sending."""
    if kind in DESK_KINDS:
        if params.get("kind"):
            params["what"] = WHAT[language][RequestKind(params["kind"])]
        else:
            params["what"] = WHAT[language][RequestKind.ENQUIRY]
        if "code" in params:
            params["code"] = unseal(key, subject, "desk_code", params["code"])
        if "text" in params:
            params["text"] = unseal(key, subject, "desk_text", params["text"])
        guest = subject.startswith("guest-")
        params["link"] = None if guest else f"{base}/me/requests/{params['request_id']}"
    elif kind is NotificationKind.DESK_DEADLINE:
        params["link"] = f"{base}/desk/requests/{params['request_id']}"
    elif kind is NotificationKind.RECIPIENT_NOTICE:
        about, values = params.pop("about", None), params.get("values")
        person_key = await key_of(about) if about else None
        params["values"] = (
            orjson.loads(unseal(person_key, about, "recipient_values", values))
            if values and person_key and about
            else None
        )
        params["link"] = f"{base}/organisation/disclosures"
    return params
