"""The risk engine: from a checklist and a set of answers to an ordered list of findings.

Pure Python on plain, immutable data (no database), so it is fast, easy to test
with generated answers, and gives the same result for the same input. It reads the checklist
as :mod:`checklist.spec` defines it, whether that came from the database, a content file or a
signed screening's record.

The engine supports a decision; it never calls a treatment safe. With no flags the summary
still states the uncertainties that apply to every exosome product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checklist.spec import (
    ChecklistSpec,
    ChoiceSpec,
    ConditionSpec,
    JurisdictionSpec,
    QuestionSpec,
    ReferenceSpec,
    RuleSpec,
    SectionSpec,
    StatementSpec,
)
from checklist.vocabulary import CHOICE_TYPES, Level

__all__ = [
    "HEADLINES",
    "Assessment",
    "ChecklistSpec",
    "ChoiceSpec",
    "ConditionSpec",
    "Finding",
    "JurisdictionSpec",
    "Level",
    "QuestionSpec",
    "ReferenceSpec",
    "RuleSpec",
    "SectionSpec",
    "StatementSpec",
    "complete_section_codes",
    "evaluate",
    "is_answered",
    "missing_required",
    "selected_values",
    "visible_question_codes",
]


@dataclass(frozen=True)
class Finding:
    """One flag raised by an answer or by a rule, in the words of the clinician and the patient."""

    code: str
    level: Level
    clinician_text: str
    patient_text: str
    ask: str
    references: tuple[ReferenceSpec, ...]
    section_code: str | None = None
    question_code: str | None = None


HEADLINES = {
    Level.RED_FLAG: (
        "Red flags found",
        "Serious concerns were found. They should be resolved before any treatment goes ahead.",
    ),
    Level.CAUTION: (
        "Cautions found",
        "Some answers raise concerns. Talk them through and get answers before you decide.",
    ),
    Level.NONE: (
        "No warning signs in these answers",
        "No specific warning signs were found. This does not remove the risks and unknowns "
        "that apply to every exosome product, listed below.",
    ),
}


@dataclass(frozen=True)
class Assessment:
    """The findings, red flags first, and the words that sum them up (kept with a signed record)."""

    level: Level
    findings: tuple[Finding, ...]
    standing_uncertainties: tuple[StatementSpec, ...]
    headline: str = ""
    summary: str = ""

    @property
    def red_flags(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == Level.RED_FLAG)

    @property
    def cautions(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == Level.CAUTION)

    def for_section(self, section_code: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.section_code == section_code)


def selected_values(answer: Any) -> frozenset[str]:
    """The choice values an answer selects: one for single choice, several for multiple."""
    if answer is None:
        return frozenset()
    if isinstance(answer, str):
        return frozenset({answer})
    if isinstance(answer, list | tuple | set | frozenset):
        return frozenset(v for v in answer if isinstance(v, str))
    return frozenset()


def is_answered(answer: Any) -> bool:
    return answer not in (None, "", [], ())


def visible_question_codes(checklist: ChecklistSpec, answers: Mapping[str, Any]) -> frozenset[str]:
    """Questions shown given these answers: a question whose trigger is hidden is hidden too."""
    visible: set[str] = set()
    for question in checklist.questions:
        if question.depends_on is None or (
            question.depends_on in visible
            and (selected_values(answers.get(question.depends_on)) & question.depends_on_values)
        ):
            visible.add(question.code)
    return frozenset(visible)


def missing_required(checklist: ChecklistSpec, answers: Mapping[str, Any]) -> tuple[QuestionSpec, ...]:
    """Visible required questions that have no answer yet, in checklist order."""
    visible = visible_question_codes(checklist, answers)
    return tuple(
        q for q in checklist.questions if q.required and q.code in visible and not is_answered(answers.get(q.code))
    )


def complete_section_codes(
    checklist: ChecklistSpec, answers: Mapping[str, Any], saved_sections: list[str] | tuple[str, ...]
) -> frozenset[str]:
    """Sections saved at least once with no shown required question left open: the dashboard's
    "sections done", by the same rule as the step bar's ticks (``steps.SectionStep.is_complete``)."""
    open_sections = {q.section_code for q in missing_required(checklist, answers)}
    saved = set(saved_sections)
    return frozenset(s.code for s in checklist.sections if s.code in saved and s.code not in open_sections)


def parse_date(value: Any) -> dt.date | None:
    """An ISO date answer or fact as a date; anything else (blank, malformed) as None."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _condition_holds(
    condition: ConditionSpec, answers: Mapping[str, Any], context: Mapping[str, str], visible: frozenset[str]
) -> bool:
    if condition.question is not None and condition.question not in visible:
        return False
    subject = (
        answers.get(condition.question) if condition.question is not None else context.get(condition.context_key or "")
    )
    if condition.missing:
        return not is_answered(subject)
    if condition.before_question is not None or condition.before_context is not None:
        if condition.before_question is not None:
            if condition.before_question not in visible:
                return False
            other = answers.get(condition.before_question)
        else:
            other = context.get(condition.before_context or "")
        first, second = parse_date(subject), parse_date(other)
        return first is not None and second is not None and first < second
    if condition.question is not None:
        return bool(selected_values(subject) & condition.values)
    return subject in condition.values


def evaluate(
    checklist: ChecklistSpec, answers: Mapping[str, Any], context: Mapping[str, str] | None = None
) -> Assessment:
    """Evaluate answers (question code -> stored value) and screening facts into an assessment.

    Answers to hidden questions, and values that are not choices of their question, are ignored:
    they can neither raise a flag nor satisfy a rule.
    """
    context = context or {}
    visible = visible_question_codes(checklist, answers)
    findings: list[Finding] = []
    for question in checklist.questions:
        if question.code not in visible or question.answer_type not in CHOICE_TYPES:
            continue
        for value in sorted(selected_values(answers.get(question.code))):
            choice = question.choices_by_value.get(value)
            if choice is None or choice.level == Level.NONE:
                continue
            findings.append(
                Finding(
                    code=f"{question.code}.{choice.value}",
                    level=choice.level,
                    clinician_text=choice.clinician_flag,
                    patient_text=choice.patient_flag,
                    ask=choice.ask,
                    references=checklist.resolve(choice.references or question.references),
                    section_code=question.section_code,
                    question_code=question.code,
                )
            )
    for rule in checklist.rules:
        if rule.conditions and all(_condition_holds(c, answers, context, visible) for c in rule.conditions):
            first_question = next((c.question for c in rule.conditions if c.question), None)
            findings.append(
                Finding(
                    code=f"rule.{rule.code}",
                    level=rule.level,
                    clinician_text=rule.clinician_flag,
                    patient_text=rule.patient_flag,
                    ask=rule.ask,
                    references=checklist.resolve(rule.references),
                    section_code=checklist.questions_by_code[first_question].section_code if first_question else None,
                    question_code=first_question,
                )
            )
    # Red flags first; within a level, the order of the checklist (stable sort).
    findings.sort(key=lambda f: -f.level)
    level = max((f.level for f in findings), default=Level.NONE)
    headline, summary = HEADLINES[level]
    return Assessment(
        level=level,
        findings=tuple(findings),
        standing_uncertainties=checklist.key_facts,
        headline=headline,
        summary=summary,
    )
