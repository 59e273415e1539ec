"""The event catalogue: one model per event type, shared by every service (architecture.md §4).

Importing this package registers every event; `EVENT_TYPES` maps a type name
to its model. `catalogue_events()` lists the catalogue's own models (tests may
register test-only events beside them).
"""

from __future__ import annotations

from ac_events.catalogue import consent, identity, matching, notifications, resumes
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
    PurposeChange,
    TransferObjected,
    ViewPosition,
)
from ac_events.catalogue.identity import (
    ClientOrganizationRegistered,
    ErasureRequested,
    ProfileUpdated,
    RegistrationAttempted,
    SubjectErased,
    UserRegistered,
)
from ac_events.catalogue.matching import (
    ApplicationSubmitted,
    DataShareBlocked,
    DataShared,
    DecisionRef,
    LegalRef,
    MatchScored,
    VacancyClosed,
    VacancyPosted,
)
from ac_events.catalogue.notifications import (
    AlertSubscribed,
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

_MODULES = (identity, resumes, matching, consent, notifications)


def catalogue_events() -> list[type[Event]]:
    """The catalogue's own event models, by producer then type name."""
    names = {m.__name__ for m in _MODULES}
    found = [cls for cls in EVENT_TYPES.values() if cls.__module__ in names]
    return sorted(found, key=lambda cls: (cls.producer, cls.type))


__all__ = [
    "ANY_RECIPIENT",
    "ERASED",
    "EVENT_TYPES",
    "JAPAN",
    "OPT_IN_PURPOSES",
    "PERSONAL",
    "THIRD_PARTY_PURPOSES",
    "WITHHELD",
    "AlertSubscribed",
    "ApplicationSubmitted",
    "BusinessTransferAnnounced",
    "ClientOrganizationRegistered",
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
    "Language",
    "LegalBasis",
    "LegalRef",
    "MatchScored",
    "NotificationFailed",
    "NotificationKind",
    "NotificationSent",
    "Personal",
    "PolicyPublished",
    "ProfileUpdated",
    "Purpose",
    "PurposeChange",
    "Recipient",
    "Redacted",
    "Region",
    "RegistrationAttempted",
    "ResumeContent",
    "ResumeDeleted",
    "ResumeRevised",
    "ResumeSubmitted",
    "Role",
    "SensitiveCategory",
    "SensitiveDataDeclared",
    "SubjectErased",
    "TransferObjected",
    "UserRegistered",
    "VacancyClosed",
    "VacancyPosted",
    "ViewPosition",
    "catalogue_events",
    "register",
    "upcast",
    "upcaster",
]
