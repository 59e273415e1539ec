"""Contracts generated from the event models, never written by hand (architecture.md §4).

- `docs/schemas/events/<Type>.v<N>.json`: one JSON Schema per event payload,
  personal fields flagged `"x-personal": true`;
- `docs/schemas/envelope.json`: the envelope every event travels in;
- `docs/asyncapi.yaml`: an AsyncAPI 3.0 document of the topics.

`python -m tools.contracts write` regenerates them; `check` exits 1 naming
the files that differ from what the models generate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from ac_events.catalogue import catalogue_events
from ac_events.catalogue.base import Event
from ac_events.envelope import Envelope
from ac_events.kafka import PRODUCERS, topic_for

DOCS = Path(__file__).resolve().parents[1] / "docs"

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ac-event-id": {"type": "string", "description": "the event's UUIDv7"},
        "ac-type": {"type": "string", "description": "the event type"},
        "ac-position": {"type": "string", "description": "the producer store's global position"},
        "traceparent": {"type": "string", "description": "W3C trace context"},
        "tracestate": {"type": "string"},
    },
    "required": ["ac-event-id", "ac-type", "ac-position"],
}


def schema_path(event: type[Event]) -> str:
    return f"schemas/events/{event.type}.v{event.schema_version}.json"


def event_schema(event: type[Event]) -> dict[str, Any]:
    schema = event.model_json_schema()
    for name in event.personal_fields():
        schema["properties"][name]["x-personal"] = True
    schema["title"] = event.type
    schema["x-type"] = event.type
    schema["x-schema-version"] = event.schema_version
    schema["x-producer"] = event.producer
    schema["x-topic"] = topic_for(event.producer)
    if event.personal_fields():
        schema["description"] = (
            (event.__doc__ or "").strip()
            + "\n\nFields marked x-personal are stored and published encrypted under the "
            "subject's data key, and read as {'redacted': 'erased'} once it is destroyed."
        ).strip()
    return schema


def envelope_schema() -> dict[str, Any]:
    schema = Envelope[Event].model_json_schema()
    schema["title"] = "Envelope"
    schema["properties"]["payload"] = {
        "type": "object",
        "description": "the event's payload: see schemas/events/<type>.v<schema_version>.json",
    }
    schema["properties"].pop("position", None)
    schema.pop("$defs", None)
    schema["description"] = (
        "Every event as stored and published: canonical JSON (sorted keys), `hash` = SHA-256 "
        "of the record without `hash`, `prev_hash` = the stream's previous hash."
    )
    return schema


def asyncapi() -> dict[str, Any]:
    events = catalogue_events()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for producer in PRODUCERS:
        own = [e for e in events if e.producer == producer]
        topic = topic_for(producer)
        channels[topic] = {
            "address": topic,
            "description": f"Every event of the {producer} service, kept forever; "
            "key = the subject's pseudonymous id (or the stream id when there is none).",
            "messages": {e.type: {"$ref": f"#/components/messages/{e.type}"} for e in own},
        }
        operations[f"publish-{producer}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"The {producer} service's outbox relay publishes its stored events.",
        }
        for e in own:
            messages[e.type] = {
                "name": e.type,
                "title": e.type,
                "summary": (e.__doc__ or e.type).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": HEADERS_SCHEMA,
                "payload": {"$ref": schema_path(e)},
                "x-schema-version": e.schema_version,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Active Connector events",
            "version": "1.0.0",
            "description": (
                "Topics of the platform (architecture.md §4). Each message value is an envelope "
                "(schemas/envelope.json) whose payload is the event named by its type. Each "
                "consumer group has its own dead-letter topic `<group>.dlq`, whose messages "
                "carry the original key, value and headers plus dlq-reason "
                "(undecodable | unknown_type | handler_error), dlq-error, dlq-topic, "
                "dlq-partition, dlq-offset and dlq-group."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Relative path under docs/ -> file content."""
    files = {schema_path(e): _json(event_schema(e)) for e in catalogue_events()}
    files["schemas/envelope.json"] = _json(envelope_schema())
    files["asyncapi.yaml"] = (
        "# Generated by `make schemas` from the event models: do not edit.\n"
        + (yaml.safe_dump(asyncapi(), sort_keys=True, allow_unicode=True, width=100))
    )
    return files


def stale(docs: Path = DOCS) -> list[str]:
    """Files under docs/ that differ from what the models generate (or are left over)."""
    wanted = generate()
    out = [
        p for p, text in wanted.items() if not (docs / p).exists() or (docs / p).read_text() != text
    ]
    events_dir = docs / "schemas" / "events"
    if events_dir.exists():
        out += [
            str(p.relative_to(docs))
            for p in sorted(events_dir.glob("*.json"))
            if str(p.relative_to(docs)) not in wanted
        ]
    return sorted(out)


def write(docs: Path = DOCS) -> list[str]:
    changed = stale(docs)
    wanted = generate()
    for rel in changed:
        path = docs / rel
        if rel in wanted:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted[rel])
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.contracts", description=__doc__)
    parser.add_argument("command", choices=["write", "check"])
    args = parser.parse_args(argv)
    if args.command == "write":
        changed = write()
        sys.stderr.write(f"{len(changed)} contract file(s) written\n")
        return 0
    out = stale()
    if out:
        sys.stderr.write(
            "stale generated contracts (run `make schemas` and commit):\n"
            + "".join(f"  docs/{p}\n" for p in out)
        )
        return 1
    sys.stderr.write("contracts are up to date\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
