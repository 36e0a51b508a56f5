"""The workflow as an explicit list of steps: details, one step per section, review, consent.

Each step knows its identifier, its title, its URL, and whether it is complete; progress lives in
the database (the screening's answers and ``saved_sections``), never in the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
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
    details_url, *section_urls, review_url, consent_url = _step_urls(
        get_script_prefix(), get_urlconf(settings.ROOT_URLCONF), screening.pk, tuple(s.code for s in spec.sections)
    )
    steps = [Step("details", _("Patient and treatment"), details_url, True, "details")]
    for section, url in zip(spec.sections, section_urls, strict=True):
        complete = section.code in screening.saved_sections and not missing_by_section.get(section.code)
        steps.append(Step(section.code, section.title, url, complete, "section"))
    all_done = all(s.complete for s in steps)
    steps.append(Step("review", _("Review"), review_url, all_done, "review"))
    steps.append(Step("consent", _("Consent"), consent_url, screening.is_signed, "consent"))
    return steps


@lru_cache(maxsize=2048)
def _step_urls(
    script_prefix: str, urlconf: str | None, screening_pk, section_codes: tuple[str, ...]
) -> tuple[str, ...]:
    """A screening's step URLs, in order. They never change, and every page of the workflow lists
    them all: reversed afresh, they were a noticeable share of a step page's server time."""
    return (
        reverse("checklist:screening-details", args=[screening_pk]),
        *(reverse("checklist:screening-step", args=[screening_pk, code]) for code in section_codes),
        reverse("checklist:screening-review", args=[screening_pk]),
        reverse("checklist:screening-consent", args=[screening_pk]),
    )


@dataclass(frozen=True)
class ProgressEntry:
    """One step as the progress list shows it, decided here rather than in the template."""

    title: str
    url: str  # empty where the step cannot be opened from here: the consent, until it is reached
    state: str  # "current", "complete" or ""


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    current: Step
    number: int  # 1-based position of the current step

    @cached_property
    def entries(self) -> tuple[ProgressEntry, ...]:
        entries = []
        for step in self.steps:
            is_current = step.identifier == self.current.identifier
            entries.append(
                ProgressEntry(
                    title=step.title,
                    url="" if step.kind == "consent" and not is_current else step.url,
                    state="current" if is_current else "complete" if step.complete else "",
                )
            )
        return tuple(entries)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous(self) -> Step | None:
        return self.steps[self.number - 2] if self.has_previous else None

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
