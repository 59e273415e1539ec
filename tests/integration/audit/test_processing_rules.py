"""[B] #17: the audit's rules of processors and incidents on a log written to Kafka, each
planted violation found and nothing else (`ac_audit.processing`)."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from ac_audit.audit import read_log
from ac_audit.processing import incident_handled, processor_registered
from ac_events.catalogue import (
    AffectedPersonNotified,
    DataCategory,
    Event,
    IncidentClosed,
    IncidentCloseReason,
    IncidentReported,
    IncidentScoped,
    ProcessorRegistered,
    ProcessorRetired,
    Purpose,
    ReportReason,
    ReportStage,
)
from ac_events.catalogue.streams import incident_stream, processor_stream
from tests.support.audit_seed import History, MemoryKeyring
from tests.support.incident_seed import IncidentHistory, provide
from tests.support.infra import Infra, unique_prefix

NAME, CONTACT, RESUME = DataCategory.NAME, DataCategory.CONTACT, DataCategory.RESUME


async def test_provisions_to_processors_and_incidents_are_judged(infra: Infra) -> None:
    prefix = unique_prefix()
    h = History(prefix, MemoryKeyring(), random.Random(1))
    truth = IncidentHistory()
    a, b = await h.register(), await h.register()
    h.countries.update({"proc-a": "JP", "proc-b": "JP"})

    async def desk(stream: str, event: Event) -> str:
        return await h.w.emit("desk", stream, event, None, h.tick())

    await desk(processor_stream("proc-a"), ProcessorRegistered(
        processor_id="proc-a", legal_name="A K.K.", country="JP", data_categories=(NAME, CONTACT),
        purposes=(Purpose.OUTSOURCED_PROCESSING,), contract_reference="C-1",
        contract_from=date(2026, 1, 1), registered_by="staff"))  # fmt: skip
    await provide(h, truth, a, "proc-a", (NAME, CONTACT), False)
    await provide(h, truth, a, "proc-a", (NAME, RESUME), False)
    await provide(h, truth, b, "proc-b", (NAME,), False)
    await provide(h, truth, a, "org-jp-1", (RESUME,), False)  # a client: not this rule's
    await desk(processor_stream("proc-a"), ProcessorRetired(processor_id="proc-a", retired_by="s"))
    await provide(h, truth, b, "proc-a", (NAME,), False)

    def scoped(incident: uuid.UUID, reportable: bool) -> IncidentScoped:
        return IncidentScoped(incident_id=incident, people=2, reportable=reportable,
                              reasons=(ReportReason.SPECIAL_CARE,) if reportable else (),
                              preliminary_due=h.clock + timedelta(days=3),
                              final_due=h.clock + timedelta(days=30), scoped_by="staff")  # fmt: skip

    late, good, untold = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    late_scope = await desk(incident_stream(late), scoped(late, True))
    await desk(incident_stream(good), scoped(good, True))
    for stage in ReportStage:
        await desk(incident_stream(good), IncidentReported(
            incident_id=good, stage=stage, document_sha256="0" * 64, reported_by="staff"))  # fmt: skip
    for who in (a, b):
        await desk(incident_stream(good), AffectedPersonNotified(
            incident_id=good, subject_id=who.subject, title="leak"))  # fmt: skip
    await desk(incident_stream(good), IncidentClosed(
        incident_id=good, reason=IncidentCloseReason.HANDLED, closed_by="staff"))  # fmt: skip
    await desk(incident_stream(untold), scoped(untold, False))
    await desk(incident_stream(untold), AffectedPersonNotified(
        incident_id=untold, subject_id=a.subject, title="leak"))  # fmt: skip
    untold_close = await desk(incident_stream(untold), IncidentClosed(
        incident_id=untold, reason=IncidentCloseReason.HANDLED, closed_by="staff"))  # fmt: skip
    await h.w.flush(infra.kafka_bootstrap_servers)

    state = await read_log(infra.kafka_bootstrap_servers, prefix)
    processors = processor_registered(state)
    assert processors.checked == 5  # the registration and four provisions
    assert sorted(f.detail for f in processors.findings) == [
        "resume not entrusted to proc-a", "the processor proc-a was retired",
        "the processor proc-b is not in the register"]  # fmt: skip
    early = incident_handled(state, h.clock + timedelta(days=2))  # no report due yet
    assert [f.event_id for f in early.findings] == [untold_close]
    incidents = incident_handled(state, h.clock + timedelta(days=31))
    assert incidents.checked == 3
    assert sorted((f.event_id, f.detail.split(" was due")[0], f.detail.endswith("not made"))
                  for f in incidents.findings if f.event_id == late_scope) == [
        (late_scope, "the final report", True), (late_scope, "the preliminary report", True)]  # fmt: skip
    [closing] = [f for f in incidents.findings if f.event_id != late_scope]
    assert closing.event_id == untold_close
    assert closing.detail == "closed with 1 of 2 people notified, no reason recorded"
