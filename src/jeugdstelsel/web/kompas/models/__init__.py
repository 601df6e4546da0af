"""Models of the Kwaliteitskompas app, split by concept (base, items, audit)."""

from jeugdstelsel.web.kompas.models.audit import AuditEntry
from jeugdstelsel.web.kompas.models.base import (
    Area,
    Membership,
    Municipality,
    Organisation,
    Role,
)
from jeugdstelsel.web.kompas.models.items import (
    ITEM_MODELS,
    Activity,
    EvidenceLevel,
    Goal,
    ImprovementAction,
    Intervention,
    Issue,
    Layer,
    Measurement,
    WorkspaceItem,
    output_key_validator,
)

__all__ = [
    "ITEM_MODELS",
    "Activity",
    "Area",
    "AuditEntry",
    "EvidenceLevel",
    "Goal",
    "ImprovementAction",
    "Intervention",
    "Issue",
    "Layer",
    "Measurement",
    "Membership",
    "Municipality",
    "Organisation",
    "Role",
    "WorkspaceItem",
    "output_key_validator",
]
