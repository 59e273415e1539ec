"""[X] issue 20: the replay split across processes (and across the pods of an indexed Job)
finds what the one-process replay finds, on the same seeded history with planted violations.
"""

from __future__ import annotations

from pathlib import Path

from ac_audit.audit import audit, read_log
from ac_audit.parallel import by_index, cut, merge_parts, replay_part, save_part, share
from tests.support.audit_seed import MemoryKeyring, key_of, seed_history
from tests.support.infra import Infra, unique_prefix


async def test_two_processes_and_three_parts_find_what_one_process_finds(
    infra: Infra, tmp_path: Path
) -> None:
    bootstrap, prefix, keyring = infra.kafka_bootstrap_servers, unique_prefix(), MemoryKeyring()
    seeded = await seed_history(bootstrap, prefix, keyring, people=600, plant=True, seed=5)
    whole = await read_log(bootstrap, prefix)
    split = await read_log(bootstrap, prefix, workers=2)

    parts = 3
    for index in range(parts):
        save_part(await replay_part(bootstrap, prefix, index, parts), tmp_path, index, parts)
    merged = merge_parts(tmp_path, parts)

    expected = {key_of(f) for r in (await audit(whole, keyring)).rules for f in r.findings}
    assert expected == seeded.expected
    for state in (split, merged):
        assert state.events == whole.events == seeded.events
        assert state.per_topic == whole.per_topic
        report = await audit(state, keyring)
        assert {key_of(f) for r in report.rules for f in r.findings} == expected
        assert report.summary == (await audit(whole, keyring)).summary
        assert dict(state.person_facts) == dict(whole.person_facts)
        assert state.policy_facts == whole.policy_facts


async def test_every_partition_is_read_by_exactly_one_part(infra: Infra) -> None:
    bootstrap, prefix, keyring = infra.kafka_bootstrap_servers, unique_prefix(), MemoryKeyring()
    await seed_history(bootstrap, prefix, keyring, people=50, seed=3)
    tps = list(await cut(bootstrap, prefix))
    for count in (1, 2, 5, len(tps) + 2):
        dealt = [tp for index in range(count) for tp in by_index(tps, index, count)]
        assert sorted(dealt) == sorted(tps)
        shared = [tp for part in share(dict.fromkeys(tps, 1), count) for tp in part]
        assert sorted(shared) == sorted(tps)
