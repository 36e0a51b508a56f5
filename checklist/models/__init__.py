"""Models of the checklist app: the versioned question bank and the screenings asked under it."""

from checklist.models.content import (
    Acknowledgement,
    AnswerType,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    JurisdictionRecord,
    KeyFact,
    PublishedVersionLocked,
    Question,
    Reference,
    RiskLevel,
    RiskRule,
    RiskRuleCondition,
    Section,
    TeachBackChoice,
    TeachBackQuestion,
)
from checklist.models.decisions import FlagResolution
from checklist.models.documents import SignedPdfRender
from checklist.models.screenings import (
    Answer,
    AuditEvent,
    Decision,
    IntendedUse,
    Route,
    Screening,
    ScreeningLocked,
    ScreeningNamePrefix,
)
from checklist.models.teach_back import TeachBackAnswer
from checklist.models.treatment_day import TIME_OUT_ITEMS, ConsentWithdrawal, TreatmentTimeOut

__all__ = [
    "TIME_OUT_ITEMS",
    "Acknowledgement",
    "Answer",
    "AnswerType",
    "AuditEvent",
    "ChecklistVersion",
    "Choice",
    "ConsentWithdrawal",
    "Decision",
    "FlagResolution",
    "IntendedUse",
    "Jurisdiction",
    "JurisdictionRecord",
    "KeyFact",
    "PublishedVersionLocked",
    "Question",
    "Reference",
    "RiskLevel",
    "RiskRule",
    "RiskRuleCondition",
    "Route",
    "Screening",
    "ScreeningLocked",
    "ScreeningNamePrefix",
    "Section",
    "SignedPdfRender",
    "TeachBackAnswer",
    "TeachBackChoice",
    "TeachBackQuestion",
    "TreatmentTimeOut",
]
