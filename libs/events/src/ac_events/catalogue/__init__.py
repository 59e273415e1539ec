"""The event catalogue: one model per event type, shared by every service (architecture.md §4).

Importing this package registers every event; `EVENT_TYPES` maps a type name
to its model. `catalogue_events()` lists the catalogue's own models (tests may
register test-only events beside them).
"""

from __future__ import annotations

from ac_events.catalogue import consent, desk, identity, matching, notifications, resumes
from ac_events.catalogue.base import (
    ERASED,
    EVENT_TYPES,
    PERSONAL,
    WITHHELD,
    Event,
    Personal,
    Redacted,
    register,
    upcast,
    upcaster,
)
from ac_events.catalogue.consent import (
    BusinessTransferAnnounced,
    ConsentGranted,
    ConsentWithdrawn,
    CountryNoticePublished,
    PolicyPublished,
    PolicyTexts,
    PurposeChange,
    TransferObjected,
    ViewPosition,
    policy_text_sha256,
)
from ac_events.catalogue.desk import (
    FIELD_KINDS,
    TICKET_KINDS,
    Channel,
    CloseReason,
    GuestRequestsRemoved,
    IdentityVerified,
    MessagePosted,
    Outcome,
    ProfileField,
    RequestAnswered,
    RequestAssigned,
    RequestClosed,
    RequestDueSoon,
    RequestEscalated,
    RequestFiled,
    RequestKind,
    VerificationCodeIssued,
    VerificationFailed,
    VerificationMethod,
)
from ac_events.catalogue.identity import (
    ClientOrganizationRegistered,
    ErasureRequested,
    ProfileUpdated,
    SubjectErased,
    UnverifiedAccountsRemoved,
    UserRegistered,
)
from ac_events.catalogue.matching import (
    ApplicationSubmitted,
    DataShareBlocked,
    DataShared,
    DecisionRef,
    LegalRef,
    MatchScored,
    ProvisionRecordsRemoved,
    RecipientNotified,
    VacancyClosed,
    VacancyPosted,
)
from ac_events.catalogue.notifications import (
    AlertSubscribed,
    MessageBodiesRemoved,
    NotificationFailed,
    NotificationKind,
    NotificationSent,
)
from ac_events.catalogue.resumes import (
    ResumeContent,
    ResumeDeleted,
    ResumeRevised,
    ResumeSubmitted,
    SensitiveDataDeclared,
)
from ac_events.catalogue.retention import RecordKind, RecordsRemoved
from ac_events.catalogue.vocab import (
    ANY_RECIPIENT,
    JAPAN,
    OPT_IN_PURPOSES,
    THIRD_PARTY_PURPOSES,
    DataCategory,
    DecisionReason,
    Language,
    LegalBasis,
    Purpose,
    Recipient,
    Region,
    Role,
    SensitiveCategory,
)

_MODULES = (identity, resumes, matching, consent, notifications, desk)


def catalogue_events() -> list[type[Event]]:
    """The catalogue's own event models, by producer then type name."""
    names = {m.__name__ for m in _MODULES}
    found = [cls for cls in EVENT_TYPES.values() if cls.__module__ in names]
    return sorted(found, key=lambda cls: (cls.producer, cls.type))


__all__ = [
    "ANY_RECIPIENT",
    "ERASED",
    "EVENT_TYPES",
    "FIELD_KINDS",
    "JAPAN",
    "OPT_IN_PURPOSES",
    "PERSONAL",
    "THIRD_PARTY_PURPOSES",
    "TICKET_KINDS",
    "WITHHELD",
    "AlertSubscribed",
    "ApplicationSubmitted",
    "BusinessTransferAnnounced",
    "Channel",
    "ClientOrganizationRegistered",
    "CloseReason",
    "ConsentGranted",
    "ConsentWithdrawn",
    "CountryNoticePublished",
    "DataCategory",
    "DataShareBlocked",
    "DataShared",
    "DecisionReason",
    "DecisionRef",
    "ErasureRequested",
    "Event",
    "GuestRequestsRemoved",
    "IdentityVerified",
    "Language",
    "LegalBasis",
    "LegalRef",
    "MatchScored",
    "MessageBodiesRemoved",
    "MessagePosted",
    "NotificationFailed",
    "NotificationKind",
    "NotificationSent",
    "Outcome",
    "Personal",
    "PolicyPublished",
    "PolicyTexts",
    "ProfileField",
    "ProfileUpdated",
    "ProvisionRecordsRemoved",
    "Purpose",
    "PurposeChange",
    "Recipient",
    "RecipientNotified",
    "RecordKind",
    "RecordsRemoved",
    "Redacted",
    "Region",
    "RequestAnswered",
    "RequestAssigned",
    "RequestClosed",
    "RequestDueSoon",
    "RequestEscalated",
    "RequestFiled",
    "RequestKind",
    "ResumeContent",
    "ResumeDeleted",
    "ResumeRevised",
    "ResumeSubmitted",
    "Role",
    "SensitiveCategory",
    "SensitiveDataDeclared",
    "SubjectErased",
    "TransferObjected",
    "UnverifiedAccountsRemoved",
    "UserRegistered",
    "VacancyClosed",
    "VacancyPosted",
    "VerificationCodeIssued",
    "VerificationFailed",
    "VerificationMethod",
    "ViewPosition",
    "catalogue_events",
    "policy_text_sha256",
    "register",
    "upcast",
    "upcaster",
]
