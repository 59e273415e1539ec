"""What the identity service's routes need, built once by `app.wiring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends

from ac_events.keyring import Keyring
from ac_identity.commands import Accounts
from ac_identity.control import AccountControl
from ac_identity.grants import Grants
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import Signer
from ac_platform.service import provide


@dataclass(frozen=True)
class IdentityDeps:
    settings: IdentitySettings
    accounts: Accounts
    keyring: Keyring
    signer: Signer
    grants: Grants
    control: AccountControl

    @property
    def db(self) -> asyncpg.Pool:
        return self.accounts.pool


Deps = Annotated[IdentityDeps, Depends(provide(IdentityDeps))]
