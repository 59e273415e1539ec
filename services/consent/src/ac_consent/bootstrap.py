"""The company's privacy policy, shipped with the service as the platform's first version.

A fresh platform has no policy version, yet every consent names one. The text
(`policy/ja.md`, `policy/en.md`) and what it changes (`policy/first.yaml`) ship
with this package, and `publish_shipped_policy` records it as `PolicyPublished`
(with its text) on the service's start, unless that version is published already:
idempotent, and safe with replicas starting at once (the policies stream's expected
version makes the second append fail, and it then finds the version there).

`sync_texts` projects every version's text from the `policies` stream into the
view on start: the versions published before the view kept texts get theirs.
"""

from __future__ import annotations

from ac_consent import store as sql
from ac_consent.commands import publish_on_start
from ac_consent.policy import ShippedPolicy, known_texts, shipped_policy
from ac_events.catalogue import PolicyPublished, policy_text_sha256
from ac_events.catalogue.streams import POLICY_STREAM
from ac_events.store import EventStore

text_sha256 = policy_text_sha256
"""The SHA-256 a policy's texts are known by (`ac_events.catalogue.policy_text_sha256`)."""

__all__ = ["ShippedPolicy", "publish_shipped_policy", "shipped_policy", "sync_texts",
           "text_sha256"]  # fmt: skip


async def publish_shipped_policy(store: EventStore, policy: ShippedPolicy | None = None) -> bool:
    """Publishes the shipped policy unless its version is there; True if this call did."""
    policy = policy or shipped_policy()
    return await publish_on_start(store, policy.event(), policy.version)


async def sync_texts(store: EventStore) -> int:
    """Projects the text of every published version the view lacks; returns how many."""
    done = 0
    for env in await store.read_stream(POLICY_STREAM):
        e = env.payload
        if isinstance(e, PolicyPublished):
            async with store.pool.acquire() as conn:
                if await sql.policy_text_sha256(conn, e.policy_version) is None:
                    await sql.add_policy_text(conn, e, known_texts(e), env.event_id,
                                              env.occurred_at)  # fmt: skip
                    done += 1
    return done
