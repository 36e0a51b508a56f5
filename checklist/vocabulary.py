"""The checklist's vocabulary, defined once: answer types, risk levels and the screening facts
that risk rules may test.

The models store these values, the content file is checked against them, the risk engine and the
read model (:mod:`checklist.spec`) compute with them, and the pages and the PDF label them from
here; the step page's script gets them from the page (``risk_levels_for_script``), not from a copy.
Nothing here touches the database: Django's ``TextChoices`` are plain enums with lazy labels.
"""

from __future__ import annotations

from enum import IntEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """How serious an answer or a finding is, as stored and as labelled."""

    NONE = "none", _("No flag")
    CAUTION = "caution", _("Caution")
    RED_FLAG = "red_flag", _("Red flag")


class Level(IntEnum):
    """:class:`RiskLevel` in order of seriousness, so that ``max()`` gives the overall level.

    Members carry the same names as ``RiskLevel``'s; ``code`` and ``label`` come from there.
    """

    NONE = 0
    CAUTION = 1
    RED_FLAG = 2

    @classmethod
    def from_code(cls, code: str) -> Level:
        return cls[RiskLevel(code).name]

    @property
    def choice(self) -> RiskLevel:
        return RiskLevel[self.name]

    @property
    def code(self) -> str:
        return self.choice.value

    @property
    def label(self) -> str:
        return str(self.choice.label)


# What the step page says the moment a choice with a risk is picked (before any save).
LIVE_RISK_TEXT = {
    RiskLevel.NONE: "",
    RiskLevel.CAUTION: _("Caution: this answer raises a concern."),
    RiskLevel.RED_FLAG: _("Red flag: this answer raises a serious concern."),
}
# Bootstrap's badge style for each level.
BADGE_CLASS = {
    RiskLevel.NONE: "text-bg-light border",
    RiskLevel.CAUTION: "text-bg-warning",
    RiskLevel.RED_FLAG: "text-bg-danger",
}


def as_level(value: Level | RiskLevel | str | None) -> Level:
    """A level from whatever a caller holds: the enum, a stored code, or nothing (no flag)."""
    if isinstance(value, Level):
        return value
    return Level.from_code(value or RiskLevel.NONE)


def risk_levels_for_script() -> dict[str, dict[str, object]]:
    """The levels as the step page's script needs them: rank, live text, label and badge, by code."""
    return {
        level.code: {
            "rank": int(level),
            "live": str(LIVE_RISK_TEXT[level.choice]),
            "label": str(level.choice.label),
            "badge": BADGE_CLASS[level.choice],
        }
        for level in Level
    }


class AnswerType(models.TextChoices):
    YES_NO_UNSURE = "yes_no_unsure", _("Yes / No / Not sure")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")
    DATE = "date", _("Date")


CHOICE_TYPES = frozenset({AnswerType.YES_NO_UNSURE, AnswerType.SINGLE, AnswerType.MULTIPLE})


class Scope(models.TextChoices):
    """Whose fact a question asks about: a clinic, product or lot fact can be answered once, in a
    dossier, for many patients; a patient fact is asked of each patient."""

    CLINIC = "clinic", _("The clinic")
    PRODUCT = "product", _("The product")
    LOT = "lot", _("The lot")
    PATIENT = "patient", _("The patient")


# The labels a yes/no/unsure question's choices get when the content file gives none.
YES_NO_UNSURE_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}


class IntendedUse(models.TextChoices):
    """Neutral names: a label must not imply that the treatment works (issue 16)."""

    SKIN = "skin", _("Skin appearance")
    HAIR = "hair", _("Hair loss")
    JOINT = "joint", _("Joint pain")
    WOUND = "wound", _("Wound care")
    OTHER = "other", _("Other")


class Route(models.TextChoices):
    TOPICAL = "topical", _("Applied to the skin (topical)")
    MICRONEEDLING = "microneedling", _("With microneedling")
    INJECTION_SKIN = "injection_skin", _("Injection into the skin")
    INJECTION_JOINT = "injection_joint", _("Injection into a joint")
    INTRAVENOUS = "intravenous", _("Intravenous (drip)")
    INHALED = "inhaled", _("Inhaled")
    OTHER = "other", _("Other")


class ContextKey(models.TextChoices):
    """Facts of the screening itself (not answers) that a risk rule may test."""

    ROUTE = "route", _("Route of administration")
    INTENDED_USE = "intended_use", _("Intended use")
    JURISDICTION = "jurisdiction", _("Jurisdiction code")
    BANS_HUMAN_COSMETICS = "jurisdiction_bans_human_cosmetics", _("Jurisdiction bans human-derived cosmetics")
    NO_APPROVED_PRODUCTS = "jurisdiction_no_approved_products", _("Jurisdiction has no approved product")
    PLANNED_DATE = "planned_date", _("Planned treatment date")


YES_NO = frozenset({"yes", "no"})
# The values each context fact can take; None: checked against the content's jurisdictions.
CONTEXT_VALUES: dict[str, frozenset[str] | None] = {
    ContextKey.ROUTE: frozenset(Route.values),
    ContextKey.INTENDED_USE: frozenset(IntendedUse.values),
    ContextKey.JURISDICTION: None,
    ContextKey.BANS_HUMAN_COSMETICS: YES_NO,
    ContextKey.NO_APPROVED_PRODUCTS: YES_NO,
    ContextKey.PLANNED_DATE: None,
}
# Context facts that hold an ISO date: a rule compares them with ``before``, never lists values.
DATE_CONTEXT_KEYS = frozenset({ContextKey.PLANNED_DATE})

# The workflow's own steps besides the sections (checklist.steps): no section may use these codes.
FIXED_STEP_CODES = frozenset({"details", "review", "flags", "teach-back", "consent"})
