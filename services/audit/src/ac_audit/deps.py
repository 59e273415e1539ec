"""What the audit service's routes need, built once by `app.wiring`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from ac_audit.settings import AuditSettings
from ac_events.keyring import Keyring
from ac_platform.service import provide


@dataclass(frozen=True)
class AuditDeps:
    settings: AuditSettings
    keyring: Keyring
    replaying: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One replay at a time per replica (each reads every topic from the beginning)."""


Deps = Annotated[AuditDeps, Depends(provide(AuditDeps))]
