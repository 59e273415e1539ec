"""Access-token verification (ac_platform.auth): what every service accepts and refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from ac_platform.auth import ISSUER, Caller, TokenVerifier, Unauthenticated
from tests.support.tokens import TokenMint


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, object], header: dict[str, object]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": "s-1",
        "role": "student",
        "iss": ISSUER,
        "aud": "consent",
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


@pytest.fixture
def mint() -> TokenMint:
    return TokenMint()


@pytest.fixture
def verifier(mint: TokenMint) -> TokenVerifier:
    return TokenVerifier(jwks=mint.jwks(), audience="consent")


async def test_a_valid_token_names_the_caller(mint: TokenMint, verifier: TokenVerifier) -> None:
    principal = await verifier.verify(mint.token("c-9", "client", org="org-jp"))
    assert (principal.subject, principal.role, principal.organization_id) == (
        "c-9",
        Caller.CLIENT,
        "org-jp",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ttl_s": -60}, "expired"),
        ({"aud": "someone-else"}, "not valid"),
        ({"iss": "mallory"}, "not valid"),
        ({"role": "root"}, "no known role"),
    ],
)
async def test_refused_claims(
    mint: TokenMint, verifier: TokenVerifier, change: dict[str, object], message: str
) -> None:
    with pytest.raises(Unauthenticated, match=message):
        await verifier.verify(mint.token("s-1", str(change.pop("role", "student")), **change))  # type: ignore[arg-type]


async def test_a_token_of_another_key_is_refused(verifier: TokenVerifier) -> None:
    stranger = TokenMint(kid="test-key")  # same kid, other key
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(stranger.token("s-1", "student"))
    with pytest.raises(Unauthenticated, match="unknown key"):
        await verifier.verify(TokenMint(kid="other").token("s-1", "student"))


async def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    token = unsigned(claims(), {"alg": "none", "kid": "test-key"}) + "."
    with pytest.raises(Unauthenticated, match="algorithm"):
        await verifier.verify(token)


async def test_the_public_key_as_an_hmac_secret_is_refused(
    mint: TokenMint, verifier: TokenVerifier
) -> None:
    public = json.dumps(mint.jwks()["keys"][0]).encode()
    body = unsigned(claims(role="staff"), {"alg": "HS256", "kid": "test-key", "typ": "JWT"})
    signature = b64(hmac.new(public, body.encode(), hashlib.sha256).digest())
    with pytest.raises(Unauthenticated, match="algorithm"):
        await verifier.verify(f"{body}.{signature}")


async def test_a_tampered_payload_is_refused(mint: TokenMint, verifier: TokenVerifier) -> None:
    header, _, signature = mint.token("s-1", "student").split(".")
    forged = b64(json.dumps(claims(role="staff")).encode())
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(f"{header}.{forged}.{signature}")


async def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    for token in ("", "abc", "a.b.c", jwt.encode({"x": 1}, "k" * 32, algorithm="HS256")):
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)


def test_private_keys_are_never_verification_keys(mint: TokenMint) -> None:
    from jwt.algorithms import OKPAlgorithm

    private = json.loads(OKPAlgorithm.to_jwk(mint.private_key))
    verifier = TokenVerifier(jwks={"keys": [{**private, "kid": "test-key"}]}, audience="consent")
    assert verifier._keys == {}
