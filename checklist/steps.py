"""The workflow as an explicit list of steps: details, one step per section, review, consent.

Each step knows its identifier, its title, its URL, and whether it is complete; progress lives in
the database (the screening's answers and ``saved_sections``), never in the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from checklist.models import Screening
from checklist.risk import ChecklistSpec, missing_required


@dataclass(frozen=True)
class Step:
    identifier: str
    title: str
    url: str
    complete: bool
    kind: str  # "details", "section", "review" or "consent"


def screening_steps(screening: Screening, spec: ChecklistSpec, answers: Mapping[str, Any]) -> list[Step]:
    missing_by_section: dict[str, int] = {}
    for question in missing_required(spec, answers):
        missing_by_section[question.section_code] = missing_by_section.get(question.section_code, 0) + 1
    steps = [
        Step(
            "details",
            _("Patient and treatment"),
            reverse("checklist:screening-details", args=[screening.pk]),
            True,
            "details",
        )
    ]
    for section in spec.sections:
        steps.append(
            Step(
                section.code,
                section.title,
                reverse("checklist:screening-step", args=[screening.pk, section.code]),
                section.code in screening.saved_sections and not missing_by_section.get(section.code),
                "section",
            )
        )
    all_done = all(s.complete for s in steps)
    steps.append(
        Step("review", _("Review"), reverse("checklist:screening-review", args=[screening.pk]), all_done, "review")
    )
    steps.append(
        Step(
            "consent",
            _("Consent"),
            reverse("checklist:screening-consent", args=[screening.pk]),
            screening.is_signed,
            "consent",
        )
    )
    return steps


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    current: Step
    number: int  # 1-based position of the current step

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def previous(self) -> Step | None:
        return self.steps[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> Step | None:
        return self.steps[self.number] if self.number < self.total else None


def progress_at(steps: list[Step], identifier: str) -> Progress:
    for index, step in enumerate(steps):
        if step.identifier == identifier:
            return Progress(steps=steps, current=step, number=index + 1)
    raise KeyError(identifier)


def resume_step(steps: list[Step]) -> Step:
    """Where a clinician picks up a draft: the first section step not yet complete, else review."""
    for step in steps:
        if step.kind == "section" and not step.complete:
            return step
    return next(s for s in steps if s.kind == "review")
