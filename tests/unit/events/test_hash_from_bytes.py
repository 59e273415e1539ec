"""The record hash computed from the stored bytes (issue 20) is the hash of the canonical form.

`canonical_with_hash` serialises once and must give byte for byte what
`canonical(record | {"hash": record_hash(record)})` gives; `stored_hash_matches`
must accept exactly the stored bytes of a record and refuse any change to them.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from ac_events.chain import verify
from ac_events.envelope import (
    GENESIS_HASH,
    canonical,
    canonical_with_hash,
    record_hash,
    stored_hash_matches,
)

text = st.text(max_size=40)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Records as the codec builds them, with hostile strings where strings may go."""
    return {
        "event_id": draw(st.uuids()).__str__(),
        "type": draw(text),
        "schema_version": draw(st.integers(1, 9)),
        "stream_id": draw(text),
        "stream_version": draw(st.integers(1, 10**6)),
        "subject_id": draw(st.none() | text),
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "producer": draw(text),
        "correlation_id": draw(st.none() | text | st.just('","hash":"x')),
        "causation_id": draw(st.none() | text | st.just(',"hash":"')),
        "traceparent": draw(st.none() | text),
        "payload": draw(st.dictionaries(text, json_value, max_size=5)),
        "prev_hash": draw(
            st.just(GENESIS_HASH) | st.text("0123456789abcdef", min_size=64, max_size=64)
        ),
    }


@settings(max_examples=300)
@given(bodies())
def test_one_serialisation_gives_the_canonical_bytes_and_hash(body: dict[str, Any]) -> None:
    data, digest = canonical_with_hash(body)
    assert digest == record_hash(body)
    assert data == canonical({**body, "hash": digest})
    assert stored_hash_matches(data, digest)


@settings(max_examples=200)
@given(bodies(), st.data())
def test_any_changed_byte_is_refused(body: dict[str, Any], draw: st.DataObject) -> None:
    data, digest = canonical_with_hash(body)
    at = draw.draw(st.integers(0, len(data) - 1))
    flipped = bytes([data[at] ^ draw.draw(st.integers(1, 255))])
    changed = data[:at] + flipped + data[at + 1 :]
    assert not stored_hash_matches(changed, digest)


def test_the_hash_field_moved_into_the_payload_is_not_a_match() -> None:
    body = {"event_id": "e", "payload": {}, "prev_hash": GENESIS_HASH, "stream_id": "s"}
    data, digest = canonical_with_hash(body)
    needle = b',"hash":"' + digest.encode() + b'"'
    moved = data.replace(needle, b"").replace(b'"payload":{}', b'"payload":{"x":1' + needle + b"}")
    assert not stored_hash_matches(moved, digest)


def test_the_chain_still_accepts_bytes_of_another_serialiser_and_names_an_edit() -> None:
    body: dict[str, Any] = {"event_id": "e1", "payload": {"a": 1}, "prev_hash": GENESIS_HASH,
                            "stream_id": "s", "stream_version": 1}  # fmt: skip
    digest = record_hash(body)
    spaced = orjson.dumps({**body, "hash": digest}, option=orjson.OPT_INDENT_2)  # same content
    assert not stored_hash_matches(spaced, digest)
    assert verify([spaced]) == []
    edited = spaced.replace(b'"a": 1', b'"a": 2')
    [broken] = verify([edited])
    assert broken.kind == "altered"
