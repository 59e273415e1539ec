"""Matching's provisions: a person's data to a third party, with its record. (Vacancies are
`commands_vacancies.py`, the steps of an application `commands_applications.py`.)

`apply`: a student applies (answering the vacancy's form, if it has one: the answers
pass the sensitive-data guard like a CV and go as the item `application_form`) -> the
consent service decides `client_application`
to the vacancy's organisation, in its country, for the items sent -> on allow,
`ApplicationSubmitted` + `DataShared` (with the decision: reason, consent event
ids, view position) and the snapshot sent, sealed under the person's key; on
deny, `ApplicationSubmitted` + `DataShareBlocked` with what consent is missing.
`disclose`: staff order a legal disclosure -> the consent service confirms the
legal exemption for the staff member's act -> `DataShared` with the legal basis.

The decision is asked before anything is recorded and the records are written
in one transaction, so a provision is never recorded without the decision
that allowed it; the consent service answers from its own transaction (a
withdrawal that has returned is never missed).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ac_contracts.errors import Refused
from ac_events.catalogue import (
    ApplicationSubmitted,
    DataCategory,
    DataShareBlocked,
    DataShared,
    DecisionReason,
    DecisionRef,
    LegalBasis,
    LegalRef,
    Purpose,
    ResumeContent,
)
from ac_events.catalogue.base import Event
from ac_events.catalogue.consent import ViewPosition
from ac_events.catalogue.matching import FormQuestion
from ac_events.catalogue.streams import matching_stream
from ac_events.catalogue.vocab import SensitiveCategory
from ac_events.keyring import Keyring
from ac_events.sealing import seal, unseal
from ac_events.store import ANY_VERSION, EventStore
from ac_matching import forms, store, store_applications, store_vacancies
from ac_matching.domain import (
    SeenResume,
    check_can_apply,
    current_resume,
    items_to_send,
    missing_consent,
    snapshot,
    snapshot_bytes,
    snapshot_sha256,
)
from ac_platform.clock import Clock, utc_now
from ac_platform.peers import ConsentClient
from ac_sensitive import detect

SERVICE = "matching"
CV_ITEMS = frozenset(DataCategory) - {DataCategory.NAME, DataCategory.CONTACT,
                                      DataCategory.SCHOOL, DataCategory.GENDER}  # fmt: skip


RECORDS_NEED_NO_VERSION = ANY_VERSION
"""`matching-<subject>` is the record of what matching did with a person's data (scores,
applications, provisions): no decision is made on that stream's own state (they are made on
the consent service's answer and on matching's tables, under the person's lock), so its
appends need no expected version; each is ordered in the stream by the store all the same."""


@dataclass(frozen=True, slots=True)
class Outcome:
    application_id: UUID | None
    status: str
    reason: DecisionReason
    missing: str
    disclosure_id: UUID | None


class Provisions:
    def __init__(
        self,
        events: EventStore,
        keyring: Keyring,
        consent: ConsentClient,
        clock: Clock = utc_now,
    ) -> None:
        self.events = events
        self.pool: asyncpg.Pool = events.pool
        self.keyring = keyring
        self.consent = consent
        self.clock = clock

    async def apply(
        self,
        subject_id: str,
        vacancy_id: UUID,
        requested: list[DataCategory] | None,
        answers: Mapping[str, forms.AnswerValue],
        seen: SeenResume | None = None,
    ) -> Outcome:
        now = self.clock()
        earlier = await store_applications.shared_application(self.pool, subject_id, vacancy_id)
        row = await store_vacancies.vacancy(self.pool, vacancy_id)
        vacancy = check_can_apply(row, bool(earlier), now)
        form = [FormQuestion(**q) for q in orjson.loads(vacancy["form"])]
        if answers and not form:
            raise Refused("form_answers_invalid", "this vacancy has no form to answer")
        answered = forms.answered(form, answers) if form else None
        items = items_to_send(requested, has_form=bool(form))
        org = await self._organisation(vacancy["organization_id"])
        key, snap, sensitive = await self._gather(subject_id, items, seen, answered)
        decision = await self.consent.decide(
            {
                "subject_id": subject_id,
                "purpose": Purpose.CLIENT_APPLICATION.value,
                "recipient": org["organization_id"],
                "region": org["country"],
                "data_categories": [i.value for i in items],
                "sensitive_categories": sensitive,
            }
        )
        application_id = uuid.uuid4()
        applied = ApplicationSubmitted(
            application_id=application_id,
            vacancy_id=vacancy_id,
            organization_id=org["organization_id"],
        )
        reason = DecisionReason(decision["reason"])
        if decision["decision"] != "allow":
            missing = missing_consent(reason, org["legal_name"], org["country"], sensitive)
            blocked = DataShareBlocked(
                application_id=application_id,
                organization_id=org["organization_id"],
                purpose=Purpose.CLIENT_APPLICATION,
                region=org["country"],
                reason=reason,
                missing=missing,
            )
            async with self.pool.acquire() as conn, conn.transaction():
                await self._append(conn, subject_id, [applied, blocked])
                await store_applications.add_application(
                    conn, application_id=application_id, subject_id=subject_id,
                    vacancy_id=vacancy_id, organization_id=org["organization_id"],
                    status="blocked", reason=reason.value, missing=missing, created_at=now,
                    updated_at=now, data_items=[i.value for i in items], sensitive_items=sensitive,
                )  # fmt: skip
            return Outcome(application_id, "blocked", reason, missing, None)
        ref = DecisionRef(
            reason=reason,
            consent_event_ids=tuple(decision["consent_event_ids"]),
            position=ViewPosition(**decision["position"]),
        )
        shared = self._shared(org, items, sensitive, snap, decision=ref, application=application_id)
        async with self.pool.acquire() as conn, conn.transaction():
            await store.lock_subject(conn, subject_id)
            earlier = await store_applications.shared_application(conn, subject_id, vacancy_id)
            check_can_apply(await store_vacancies.vacancy(conn, vacancy_id), bool(earlier), now)
            await store_applications.add_application(
                conn, application_id=application_id, subject_id=subject_id,
                vacancy_id=vacancy_id, organization_id=org["organization_id"], status="shared",
                reason=reason.value, missing="", state="submitted", created_at=now,
                updated_at=now, data_items=[i.value for i in items], sensitive_items=sensitive,
                disclosure_id=shared.disclosure_id,
            )  # fmt: skip
            await self._record(conn, subject_id, key, snap, shared, before=[applied])
        return Outcome(application_id, "shared", reason, "", shared.disclosure_id)

    async def disclose(
        self,
        subject_id: str,
        organization_id: str,
        items: tuple[DataCategory, ...],
        basis: LegalBasis,
        reference: str,
        staff_token: str,
        *,
        withhold_notice: bool = False,
    ) -> Outcome:
        org = await self._organisation(organization_id)
        key, snap, sensitive = await self._gather(subject_id, items)
        decision = await self.consent.decide(
            {
                "subject_id": subject_id,
                "purpose": Purpose.LEGAL_DISCLOSURE.value,
                "recipient": organization_id,
                "region": org["country"],
                "data_categories": [i.value for i in items],
                "sensitive_categories": sensitive,
                "legal_basis": basis.value,
                "legal_reference": reference,
            },
            on_behalf_of=staff_token,
        )
        reason = DecisionReason(decision["reason"])
        if decision["decision"] != "allow":
            raise Refused(
                "legal_disclosure_refused", "the consent service did not allow it", decision=reason
            )
        legal = LegalRef(basis=basis, reference=reference, notice_withheld=withhold_notice)
        shared = self._shared(org, items, sensitive, snap, legal=legal)
        async with self.pool.acquire() as conn, conn.transaction():
            await self._record(conn, subject_id, key, snap, shared, before=[])
        return Outcome(None, "shared", reason, "", shared.disclosure_id)

    async def _organisation(self, organization_id: str) -> asyncpg.Record:
        org = await store.organisation(self.pool, organization_id)
        if org is None:
            raise Refused("unknown_recipient", "no such client organisation")
        return org

    async def _gather(
        self,
        subject_id: str,
        items: tuple[DataCategory, ...],
        seen: SeenResume | None = None,
        answered: list[dict[str, Any]] | None = None,
    ) -> tuple[bytes, dict[str, Any], list[str]]:
        """The person's key, the snapshot of the items, and the sensitive categories it holds
        (the CV: the one the student last wrote, when `seen` says which; the form's answers:
        what the guard finds in them, refused unless the student volunteered it)."""
        key = await self.keyring.key_for(subject_id)
        if not isinstance(key, bytes):
            raise Refused("erased", "this person has been erased")
        sealed_details = await store.person(self.pool, subject_id)
        if sealed_details is None:
            raise Refused("person_not_here_yet", "no such student here (yet)")
        details = orjson.loads(unseal(key, SERVICE, subject_id, "details", sealed_details))
        cv, sensitive = ResumeContent(), []
        if CV_ITEMS & set(items):
            row = current_resume(await store.cv(self.pool, subject_id), seen)
            cv = ResumeContent(
                **orjson.loads(unseal(key, SERVICE, subject_id, "cv", row["content_sealed"]))
            )
            sensitive = await store.declared(self.pool, subject_id)
        if answered:
            sensitive = sorted({*sensitive, *await self._guard(subject_id, answered)})
        return key, snapshot(items, details, cv, answered), sensitive

    async def _guard(self, subject_id: str, answered: list[dict[str, Any]]) -> list[str]:
        """The special care-required categories the answers reveal: only those the student
        volunteered (`SensitiveDataDeclared`) may go, else 422 `sensitive_data`, as for a CV."""
        found = await asyncio.to_thread(detect, "\n".join(forms.texts(answered)))
        declared = set(await store.declared(self.pool, subject_id))
        undeclared = sorted(c.value for c in found if c.value not in declared)
        if undeclared:
            raise Refused(
                "sensitive_data",
                "your answers reveal special care-required information you have not"
                " volunteered: remove it, or volunteer it with your CV first",
                categories=undeclared,
            )
        return sorted(c.value for c in found)

    def _shared(
        self,
        org: asyncpg.Record,
        items: tuple[DataCategory, ...],
        sensitive: list[str],
        snap: dict[str, Any],
        *,
        decision: DecisionRef | None = None,
        legal: LegalRef | None = None,
        application: UUID | None = None,
    ) -> DataShared:
        purpose = Purpose.CLIENT_APPLICATION if decision else Purpose.LEGAL_DISCLOSURE
        return DataShared(
            disclosure_id=uuid.uuid4(),
            shared_at=self.clock(),
            purpose=purpose,
            organization_id=org["organization_id"],
            recipient_legal_name=org["legal_name"],
            recipient_address=org["address"],
            recipient_representative=org["representative"],
            recipient_country=org["country"],
            data_items=items,
            sensitive_items=tuple(SensitiveCategory(c) for c in sensitive),
            decision=decision,
            legal=legal,
            application_id=application,
            snapshot_sha256=snapshot_sha256(snap),
        )

    async def _record(
        self,
        conn: asyncpg.Connection,
        subject_id: str,
        key: bytes,
        snap: dict[str, Any],
        shared: DataShared,
        before: list[Event],
    ) -> None:
        appended = await self._append(conn, subject_id, [*before, shared])
        sealed = seal(key, SERVICE, subject_id, "snapshot", snapshot_bytes(snap).decode())
        await store.add_disclosure(
            conn,
            shared.disclosure_id,
            appended[-1],
            subject_id,
            shared.application_id,
            shared.organization_id,
            shared.shared_at,
            shared.model_dump(mode="json"),
            sealed,
        )

    async def _append(
        self, conn: asyncpg.Connection, subject_id: str, events: list[Event]
    ) -> list[UUID]:
        appended = await self.events.append(
            matching_stream(subject_id),
            RECORDS_NEED_NO_VERSION,
            events,
            subject_id=subject_id,
            conn=conn,
        )
        return [e.event_id for e in appended.events]
