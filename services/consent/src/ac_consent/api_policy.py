"""The published policy, for anyone, without signing in: the current text, every version,
the difference of two (`ac_consent.policy`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ac_consent import store as sql
from ac_consent.deps import Deps
from ac_consent.policy import current, diff, listed, purposes, recipients, version_out
from ac_contracts.errors import Refused
from ac_contracts.policy import (
    DeskContact,
    PolicyDiff,
    PolicyDiffQuery,
    PolicyVersion,
    PolicyVersionOut,
    PublishedPolicy,
)

router = APIRouter(tags=["policy"])


async def _versions(deps: Deps) -> list[PolicyVersionOut]:
    async with deps.db.acquire() as conn:
        rows = await sql.policy_texts(conn)
    return [version_out(r) for r in rows]


def _named(versions: list[PolicyVersionOut], version: str) -> PolicyVersionOut:
    for v in versions:
        if v.policy_version == version:
            return v
    raise Refused("no_such_policy_version", f"no policy version {version!r}")


@router.get("/policy", summary="The privacy policy in effect: its text in Japanese and English, "
            "the purposes, who may receive data and where, and the desk's contact")  # fmt: skip
async def published(deps: Deps) -> PublishedPolicy:
    versions = await _versions(deps)
    if not versions:
        raise Refused("no_such_policy_version", "no policy is published yet")
    async with deps.db.acquire() as conn:
        countries = await sql.recipient_countries(conn)
    s = deps.settings
    return PublishedPolicy(
        current=current(versions, deps.clock()),
        versions=[listed(v) for v in versions],
        purposes=list(purposes()),
        recipients=recipients(countries),
        contact=DeskContact(
            email=s.desk_email, postal_address=s.desk_postal_address, hours=s.desk_hours
        ),
    )


@router.get("/policy/versions/{policy_version}",
            summary="One version of the privacy policy, with its text")  # fmt: skip
async def version(deps: Deps, policy_version: Annotated[PolicyVersion, Path()]) -> PolicyVersionOut:
    return _named(await _versions(deps), policy_version)


@router.get("/policy/diff", summary="What changed between two versions of the privacy policy "
            "(a unified diff per language, and the changes per purpose)")  # fmt: skip
async def difference(deps: Deps, query: Annotated[PolicyDiffQuery, Query()]) -> PolicyDiff:
    versions = await _versions(deps)
    return diff(_named(versions, query.from_version), _named(versions, query.to_version))
