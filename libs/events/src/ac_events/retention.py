"""The retention table (`retention.yaml`): one period per kind of record.

Services read it for their removal jobs (`cutoff`), the audit to judge what
they did; nothing else holds a period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ac_events.catalogue.retention import RecordKind

TABLE = Path(__file__).with_name("retention.yaml")


@dataclass(frozen=True, slots=True)
class Period:
    kind: RecordKind
    period: timedelta
    grace: timedelta
    """How late a removal may be (the job runs on a schedule) before a record counts as kept
    past its period."""
    starts: str
    held_by: str
    """The service whose job removes these records."""
    removes: str
    basis: str

    def cutoff(self, now: datetime) -> datetime:
        """Records whose period started before this have reached its end at `now`."""
        return now - self.period

    @property
    def days(self) -> int:
        return self.period.days


def _period(kind: RecordKind, row: dict[str, Any]) -> Period:
    return Period(
        kind=kind,
        period=timedelta(days=int(row["period_days"])),
        grace=timedelta(days=int(row["grace_days"])),
        starts=str(row["starts"]),
        held_by=str(row["held_by"]),
        removes=str(row["removes"]),
        basis=str(row["basis"]),
    )


def load(path: Path = TABLE) -> MappingProxyType[RecordKind, Period]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(rows) - {k.value for k in RecordKind}
    missing = {k.value for k in RecordKind} - set(rows)
    if unknown or missing:
        raise ValueError(f"{path.name}: unknown kinds {sorted(unknown)}, missing {sorted(missing)}")
    return MappingProxyType({RecordKind(k): _period(RecordKind(k), v) for k, v in rows.items()})


RETENTION = load()
"""Every kind of record's period."""
