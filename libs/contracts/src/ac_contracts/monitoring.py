"""The equal-opportunity monitoring report [E] #18 (purpose 12): applications and their
outcomes by gender and by school type, anonymised.

Counts are of people, never of one person: a cell under `k` people is suppressed, every
other count is rounded to the nearest `step` (`docs/monitoring.md`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ac_contracts.common import Timestamp

Dimension = Literal["gender", "school_type"]

OUTCOMES = (
    "applied", "submitted", "reviewing", "interview", "offer", "accepted", "declined",
    "rejected", "withdrawn",
)  # fmt: skip
"""`applied`: the people with any application; then each state an application ended in."""


class MonitoringCell(BaseModel):
    group: str
    """A gender group (`female`, `male`, `other`, `not_stated`) or a school type."""
    outcome: str
    people: int | None
    """How many people, rounded to the nearest `step`; None: suppressed (under `k`)."""


class MonitoringTable(BaseModel):
    dimension: Dimension
    groups: list[str]
    """Every group of the dimension, always all of them (a suppressed cell does not say
    whether anyone is in it)."""
    outcomes: list[str]
    cells: list[MonitoringCell]


class MonitoringReport(BaseModel):
    generated_at: Timestamp | None
    """The log as it stood then (the time of its latest event; None: an empty log)."""
    k: int
    """The least number of people a published cell stands for."""
    step: int
    """Every published count is a multiple of this (rounded to the nearest)."""
    suppressed_cells: int
    tables: list[MonitoringTable]
    method: str
    """How the report was made, in words (who is counted, what is suppressed)."""
