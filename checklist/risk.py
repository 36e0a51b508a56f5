"""The risk engine: from a checklist and a set of answers to an ordered list of findings.

Pure Python on plain, immutable data (no database, no Django), so it is fast, easy to test
with generated answers, and gives the same result for the same input. ``checklist.selectors``
turns a stored checklist version into a :class:`ChecklistSpec`.

The engine supports a decision; it never calls a treatment safe. With no flags the summary
still states the uncertainties that apply to every exosome product.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Any

CHOICE_TYPES = frozenset({"yes_no_unsure", "single", "multiple"})


class Level(IntEnum):
    """Ordered so that ``max()`` gives the overall level."""

    NONE = 0
    CAUTION = 1
    RED_FLAG = 2

    @classmethod
    def from_code(cls, code: str) -> Level:
        return {"none": cls.NONE, "caution": cls.CAUTION, "red_flag": cls.RED_FLAG}[code]

    @property
    def code(self) -> str:
        return {Level.NONE: "none", Level.CAUTION: "caution", Level.RED_FLAG: "red_flag"}[self]


@dataclass(frozen=True)
class ReferenceSpec:
    code: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""

    @property
    def citation(self) -> str:
        return ". ".join(part for part in (self.title, self.publisher, self.date) if part)

    @property
    def short_citation(self) -> str:
        """Publisher and year: enough for a patient to see where a statement comes from."""
        return " ".join(part for part in (self.publisher or self.title, self.date[:4]) if part)


@dataclass(frozen=True)
class ChoiceSpec:
    value: str
    label: str
    level: Level = Level.NONE
    clinician_flag: str = ""
    patient_flag: str = ""
    ask: str = ""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    section_code: str
    answer_type: str
    prompt: str
    patient_text: str = ""
    why: str = ""
    required: bool = True
    depends_on: str | None = None
    depends_on_values: frozenset[str] = frozenset()
    choices: tuple[ChoiceSpec, ...] = ()
    references: tuple[str, ...] = ()

    @cached_property
    def choices_by_value(self) -> dict[str, ChoiceSpec]:
        return {c.value: c for c in self.choices}


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    questions: tuple[QuestionSpec, ...]
    clinician_guidance: str = ""
    patient_intro: str = ""


@dataclass(frozen=True)
class ConditionSpec:
    """Holds when the question's answer (or the context fact) is among ``values``."""

    values: frozenset[str]
    question: str | None = None
    context_key: str | None = None


@dataclass(frozen=True)
class RuleSpec:
    code: str
    level: Level
    conditions: tuple[ConditionSpec, ...]
    clinician_flag: str
    patient_flag: str
    ask: str = ""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementSpec:
    code: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChecklistSpec:
    version_number: int
    sections: tuple[SectionSpec, ...]
    rules: tuple[RuleSpec, ...] = ()
    references: Mapping[str, ReferenceSpec] = field(default_factory=dict)
    key_facts: tuple[StatementSpec, ...] = ()
    acknowledgements: tuple[StatementSpec, ...] = ()

    @cached_property
    def questions(self) -> tuple[QuestionSpec, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def questions_by_code(self) -> dict[str, QuestionSpec]:
        return {q.code: q for q in self.questions}

    @cached_property
    def sections_by_code(self) -> dict[str, SectionSpec]:
        return {s.code: s for s in self.sections}


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level.code,
            "clinician_text": self.clinician_text,
            "patient_text": self.patient_text,
            "ask": self.ask,
            "section_code": self.section_code,
            "question_code": self.question_code,
            "references": [
                {"code": r.code, "title": r.title, "publisher": r.publisher, "date": r.date, "url": r.url}
                for r in self.references
            ],
        }


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
    level: Level
    findings: tuple[Finding, ...]
    standing_uncertainties: tuple[StatementSpec, ...]

    @property
    def headline(self) -> str:
        return HEADLINES[self.level][0]

    @property
    def summary(self) -> str:
        return HEADLINES[self.level][1]

    @property
    def red_flags(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == Level.RED_FLAG)

    @property
    def cautions(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == Level.CAUTION)

    def for_section(self, section_code: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.section_code == section_code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.code,
            "headline": self.headline,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
        }


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


def _resolve(checklist: ChecklistSpec, codes: Iterable[str]) -> tuple[ReferenceSpec, ...]:
    return tuple(checklist.references[c] for c in codes if c in checklist.references)


def _condition_holds(
    condition: ConditionSpec, answers: Mapping[str, Any], context: Mapping[str, str], visible: frozenset[str]
) -> bool:
    if condition.question is not None:
        if condition.question not in visible:
            return False
        return bool(selected_values(answers.get(condition.question)) & condition.values)
    return context.get(condition.context_key or "") in condition.values


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
                    references=_resolve(checklist, choice.references or question.references),
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
                    references=_resolve(checklist, rule.references),
                    section_code=checklist.questions_by_code[first_question].section_code if first_question else None,
                    question_code=first_question,
                )
            )
    # Red flags first; within a level, the order of the checklist (stable sort).
    findings.sort(key=lambda f: -f.level)
    level = max((f.level for f in findings), default=Level.NONE)
    return Assessment(level=level, findings=tuple(findings), standing_uncertainties=checklist.key_facts)
