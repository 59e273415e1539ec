"""Applying fetched records in PostgreSQL transactions, each effect exactly once.

A batch is one transaction: lock the checkpoints of its partitions and drop
what is below them, drop the events the group applied before, run the
handlers in record order on the transaction's connection, send the poison
records to the dead-letter topic, and store the new offsets. Dead letters
are in Kafka before their offsets are stored: a crash in between sends a
letter twice, never loses one.

If a batch fails because of a handler, it is applied again one record per
transaction, each retried with back-off; a record whose handler still fails
goes to the dead-letter topic with the handler's error, and the group goes
on. Any other error (PostgreSQL or Kafka away) is raised to the run loop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence, Set

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from ac_events.consumer.checkpoints import Checkpoints
from ac_events.consumer.handlers import BatchHandler, Handler, HandlerFailed
from ac_events.consumer.records import ConsumerStats, Item, Tally
from ac_events.consumer.spans import handle_one, handle_run
from ac_events.dead_letters import DeadLetterReason, send_dead_letters
from ac_events.errors import describe_error

log = logging.getLogger("ac_events.consumer")  # the runner's logger, for every part of it


class Applier:
    """Applies one consumer group's records; shares its counters and positions with the runner.

    `positions` is the runner's map of next offsets per assigned partition:
    each commit moves the partitions it holds forward. `producer` is set by
    the runner when it starts (aiokafka clients belong to the running loop).
    """

    def __init__(
        self,
        *,
        group_id: str,
        pool: asyncpg.Pool,
        checkpoints: Checkpoints,
        handlers: Mapping[str, Handler],
        batch_handlers: Mapping[str, BatchHandler],
        handled_types: Set[str],
        dead_letter_topic: str,
        stats: ConsumerStats,
        positions: dict[TopicPartition, int],
        max_attempts: int,
        retry_wait_s: float,
        retry_wait_max_s: float,
    ) -> None:
        self.group_id = group_id
        self.pool = pool
        self.checkpoints = checkpoints
        self.handlers = handlers
        self.batch_handlers = batch_handlers
        self.handled_types = handled_types
        self.dead_letter_topic = dead_letter_topic
        self.stats = stats
        self.positions = positions
        self.max_attempts = max_attempts
        self.retry_wait_s = retry_wait_s
        self.retry_wait_max_s = retry_wait_max_s
        self.producer: AIOKafkaProducer | None = None

    async def apply_batch(self, items: Sequence[Item]) -> Tally:
        """The batch in one transaction, or one record per transaction if a handler fails."""
        try:
            return await self.apply(items)
        except HandlerFailed:
            self.stats.fallbacks += 1
            tally = Tally()
            for item in items:
                one = await self.apply_alone(item)
                tally.positions.update(one.positions)
            return tally

    async def apply_alone(self, item: Item) -> Tally:
        """One record per transaction, retried; dead-lettered if its handler keeps failing."""

        def count_retry(_: RetryCallState) -> None:
            self.stats.retries += 1

        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_attempts),
                wait=wait_exponential(multiplier=self.retry_wait_s, max=self.retry_wait_max_s),
                retry=retry_if_exception_type(HandlerFailed),
                before_sleep=count_retry,
                reraise=True,
            ):
                with attempt:
                    return await self.apply([item])
        except HandlerFailed as failed:
            envelope = item.envelope
            log.warning(
                "consumer %s: dead-lettering event %s (%s) after %d attempts: %s",
                self.group_id,
                envelope.event_id if envelope else "?",
                envelope.type if envelope else "?",
                self.max_attempts,
                type(failed.cause).__name__,
            )
            reason = (DeadLetterReason.HANDLER_ERROR, describe_error(failed.cause))
            return await self.apply([Item(item.record, item.envelope, dead=reason)])
        raise AssertionError("unreachable: tenacity either returns or reraises")

    async def apply(self, items: Sequence[Item]) -> Tally:
        """Apply records in one transaction with their offsets and idempotency rows."""
        tally = Tally()
        async with self.pool.acquire() as conn, conn.transaction():
            fences = await self.checkpoints.lock(conn, (i.tp for i in items))
            live = [i for i in items if i.record.offset >= fences[i.tp]]
            dead = [i for i in live if i.dead is not None]
            wanted = [
                i
                for i in live
                if i.dead is None
                and i.envelope is not None
                and i.envelope.type in self.handled_types
            ]
            tally.skipped = len(live) - len(dead) - len(wanted)
            fresh = await self.checkpoints.claim_fresh(conn, wanted)
            tally.duplicates = len(wanted) - len(fresh)
            await self._run_handlers(conn, fresh)
            tally.handled = len(fresh)
            await self._send_dead_letters(dead)
            tally.dead_lettered = len(dead)
            for i in items:
                tally.positions[i.tp] = max(tally.positions.get(i.tp, 0), i.record.offset + 1)
            await self.checkpoints.save(conn, tally.positions)
        for tp, position in tally.positions.items():
            if tp in self.positions:
                self.positions[tp] = max(self.positions[tp], position)
        self.stats.handled += tally.handled
        self.stats.skipped += tally.skipped
        self.stats.duplicates += tally.duplicates
        self.stats.dead_lettered += tally.dead_lettered
        return tally

    async def _send_dead_letters(self, dead: Sequence[Item]) -> None:
        """Publish the letters not sent yet, and wait until Kafka has them."""
        unsent = [i for i in dead if not i.sent]
        if unsent:
            assert self.producer is not None, "started runners have a producer"
            await send_dead_letters(
                self.producer,
                self.dead_letter_topic,
                self.group_id,
                [(i.record, *i.dead) for i in unsent if i.dead is not None],
            )
        for i in unsent:
            i.sent = True

    async def _run_handlers(self, conn: asyncpg.Connection, fresh: Sequence[Item]) -> None:
        """Call handlers in record order; a run of one batch-handled type goes in one call."""
        start = 0
        while start < len(fresh):
            env = fresh[start].envelope
            assert env is not None
            batch_handler = self.batch_handlers.get(env.type)
            if batch_handler is None:
                handler = self.handlers[env.type]
                await handle_one(conn, handler, fresh[start], group_id=self.group_id)
                start += 1
                continue
            end = start + 1
            while end < len(fresh) and fresh[end].envelope is not None:
                nxt = fresh[end].envelope
                if nxt is None or nxt.type != env.type:
                    break
                end += 1
            await handle_run(conn, batch_handler, fresh[start:end], group_id=self.group_id)
            start = end
