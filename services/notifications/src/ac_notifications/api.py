"""HTTP routes of the notifications service -> the commands of `commands.py` and reads.

- a person: their own notification history and job-alert subscriptions;
- staff: marketing and promotion campaigns (sent only to people whose consent
  allows it, checked again at send time);
- anyone holding an unsubscribe link: withdraw that consent (the link is
  signed; the withdrawal is recorded by the consent service as `ConsentWithdrawn`).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from ac_contracts.common import SubjectId
from ac_contracts.errors import Refused
from ac_contracts.notifications import (
    AlertBody,
    AlertOut,
    CampaignBody,
    CampaignOut,
    NotificationOut,
    Unsubscribed,
    UnsubscribeQuery,
)
from ac_contracts.pagination import ListQuery, Page, newest_after, newest_key, page_of
from ac_notifications import commands, store
from ac_notifications.deps import Deps
from ac_platform.auth import Caller, Principal, require

router = APIRouter()

User = Depends(require(Caller.STUDENT, Caller.CLIENT, Caller.STAFF, Caller.AUDITOR))
Student = Depends(require(Caller.STUDENT))
Staff = Depends(require(Caller.STAFF))


def _own(principal: Principal, subject_id: str) -> None:
    if principal.subject != subject_id and principal.role != Caller.STAFF:
        raise Refused("not_your_data", "only your own notifications")


@router.get("/subjects/{subject_id}/notifications", tags=["notifications"],
            summary="A person's notification history (no addresses), newest first")  # fmt: skip
async def history(
    deps: Deps, subject_id: SubjectId, q: Annotated[ListQuery, Query()], principal: Principal = User
) -> Page[NotificationOut]:
    _own(principal, subject_id)
    rows = await store.history(deps.db, subject_id, newest_after(q.cursor), q.limit)
    return page_of(rows, q.limit, lambda r: newest_key(r["created_at"], r["message_id"]),
                   lambda r: NotificationOut(**dict(r)))  # fmt: skip


@router.post("/subjects/{subject_id}/alerts", status_code=201, tags=["notifications"],
             summary="Subscribe to job alerts (sent only with the cv_and_job_alerts consent)")  # fmt: skip
async def subscribe(
    deps: Deps, subject_id: SubjectId, body: AlertBody, principal: Principal = Student
) -> AlertOut:
    _own(principal, subject_id)
    return await commands.subscribe(deps.events, subject_id, body)


@router.get("/subjects/{subject_id}/alerts", tags=["notifications"],
            summary="My job alerts, newest first")  # fmt: skip
async def alerts(
    deps: Deps, subject_id: SubjectId, q: Annotated[ListQuery, Query()], principal: Principal = User
) -> Page[AlertOut]:
    _own(principal, subject_id)
    rows = await store.subscriptions_of(deps.db, subject_id, newest_after(q.cursor), q.limit)
    return page_of(rows, q.limit, lambda r: newest_key(r["created_at"], r["subscription_id"]),
                   lambda r: AlertOut(subscription_id=r["subscription_id"],
                                      keywords=r["keywords"], countries=r["countries"]))  # fmt: skip


@router.delete("/subjects/{subject_id}/alerts/{subscription_id}", status_code=204,
               tags=["notifications"], summary="End a job alert")  # fmt: skip
async def unsubscribe_alert(
    deps: Deps, subject_id: SubjectId, subscription_id: UUID, principal: Principal = Student
) -> None:
    _own(principal, subject_id)
    await commands.end_alert(deps.db, subject_id, subscription_id)


@router.post("/campaigns", status_code=201, tags=["staff"],
             summary="A marketing or promotion campaign (opt-in consent only)")  # fmt: skip
async def campaign(deps: Deps, body: CampaignBody, _: Principal = Staff) -> CampaignOut:
    return await commands.campaign(deps.db, body)


@router.get("/unsubscribe", tags=["notifications"],
            summary="Follow an unsubscribe link: the consent for its purpose is withdrawn")  # fmt: skip
async def unsubscribe(deps: Deps, query: Annotated[UnsubscribeQuery, Query()]) -> Unsubscribed:
    key = deps.settings.link_key.get_secret_value().encode()
    return await commands.unsubscribe(deps.db, deps.peers, key, query.token)
