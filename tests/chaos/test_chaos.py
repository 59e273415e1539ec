"""[L] Faults across the whole platform, one at a time, under a steady load through the
gateway; after each, reconciliation from outside the services (tests/chaos/reconcile.py).

Each fault is a test of its own (in any order: each begins calm and ends caught up); the
module prints one `FAULT` line per fault and the `RESULT` line at its end.
"""

from __future__ import annotations

import pytest

from tests.chaos.conftest import FULL, RESULTS
from tests.chaos.faults import SHORT, Fault, full
from tests.chaos.runner import run_fault
from tests.chaos.world import World

FAULTS = full() if FULL else SHORT


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_fault(world: World, fault: Fault) -> None:
    result = await run_fault(world, fault, check_alerts=FULL)
    RESULTS.append(result)
    print(result.line())
    assert not result.problems, "\n".join([result.line(), *result.problems[:40]])
    assert result.requests > 20, "the load did not run"
