"""`python -m ac_identity.admin create-account`: the first staff account, and other operators'.

Staff create every other privileged account through the API (`POST /accounts`);
this command exists for the first one. The password is read from the
`AC_ADMIN_PASSWORD` environment variable or, if unset, prompted for (never an
argument, so it stays out of shell history and process lists).

    python -m ac_identity.admin create-account --role staff --username ops.lead \
        --name "Ops Lead" --email ops@example.jp
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

import asyncpg

from ac_contracts.errors import Refused
from ac_contracts.identity import PASSWORD_RULES, Profile, password_problems, username_problem
from ac_events.catalogue import Role
from ac_events.codec import Codec
from ac_events.keyring import PostgresKeyring
from ac_events.migrator import KEYRING, LIBRARY, ensure_database, migrate, source
from ac_events.store import EventStore
from ac_identity.commands import Accounts
from ac_identity.settings import IdentitySettings
from ac_identity.tokens import load_signer, load_username_index_key, reseal_signing_keys


async def create_account(args: argparse.Namespace, password: str) -> str:
    settings = IdentitySettings()
    if not settings.database_url:
        raise SystemExit("no database: set IDENTITY_DATABASE_URL or DATABASE_URL")
    await ensure_database(settings.database_url)
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, LIBRARY, KEYRING, source("ac_identity"))
        keyring = PostgresKeyring(pool, settings.master_key_bytes())
        events = EventStore(pool, Codec(keyring), "identity")
        master = settings.master_key_bytes()
        signer = await load_signer(pool, master)
        index = await load_username_index_key(
            pool, master, None, settings.initial_username_index_key()
        )
        accounts = Accounts(settings, events, keyring, signer, index)
        profile = Profile(username=args.username, name=args.name, email=args.email)
        subject_id, _ = await accounts.register(profile, password, Role(args.role))
        return subject_id
    finally:
        await pool.close()


async def rotate_master_key() -> tuple[int, int]:
    """Rewraps every data key and reseals every signing key under IDENTITY_MASTER_KEY,
    reading the old ones with IDENTITY_PREVIOUS_MASTER_KEY."""
    settings = IdentitySettings()
    previous = settings.previous_master_key_bytes()
    if previous is None or not settings.database_url:
        raise SystemExit("set IDENTITY_PREVIOUS_MASTER_KEY (the old key) and the database URL")
    master = settings.master_key_bytes()
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        keys = await PostgresKeyring(pool, master, previous=previous).rewrap()
        signing = await reseal_signing_keys(pool, master, previous)
        return keys, signing
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ac_identity.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "rotate-master-key", help="rewrap every key under the new master key (see operations.md)"
    )
    create = commands.add_parser("create-account", help="create a staff or auditor account")
    create.add_argument("--role", choices=["staff", "auditor"], required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    if args.command == "rotate-master-key":
        keys, signing = asyncio.run(rotate_master_key())
        print(f"rewrapped {keys} data key(s), resealed {signing} signing key(s)")
        return 0
    password = os.environ.get("AC_ADMIN_PASSWORD") or getpass.getpass(
        f"password ({PASSWORD_RULES}): "
    )
    problems = [p for p in [username_problem(args.username)] if p]
    problems += password_problems(password, args.username)
    if problems:
        print("refused: " + "; ".join(problems), file=sys.stderr)
        return 2
    try:
        subject_id = asyncio.run(create_account(args, password))
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print(f"created {args.role} account {subject_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
