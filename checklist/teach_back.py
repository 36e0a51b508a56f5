"""Teach-back before signing (issue 14): pure logic on the read model.

The patient answers a few questions in their own words (the clinician records the choice that
matches); a wrong answer shows the explanation to read together and the question is asked again.
Signing waits until every question has a right final answer. The step page, the signing service
and the record all ask :func:`teach_back_check`, so the page and the server cannot disagree.

Some right answers belong to the screening, not to the content: whom to call is the clinic's own
contact, and who approves products is the regulator where the patient lives. Content names them
with placeholders (``{clinic_contact}``, ``{regulator}``), filled from the screening's one source
of truth for each, so the question stays answerable and honest for every clinic and country.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checklist.records import TeachBackRecord
from checklist.spec import TeachBackChoiceSpec, TeachBackQuestionSpec

# Every placeholder a teach-back text may use, with what it is filled with.
PLACEHOLDERS = {
    "clinic_contact": "the clinic's contact for a problem after the treatment (Clinic.adverse_event_contact)",
    "regulator": "the medicines regulator where the patient lives (the screening's jurisdiction)",
}
_BRACED = re.compile(r"\{([^{}]*)\}")


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of a text: unknown names, or a brace left open."""
    problems = [
        f"unknown placeholder '{{{name}}}' (use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
        for name in _BRACED.findall(text)
        if name not in PLACEHOLDERS
    ]
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        problems.append("a brace without its pair: write placeholders as {name}")
    return problems


@dataclass(frozen=True)
class ScreeningFacts:
    """The screening's own facts a teach-back text may name."""

    regulator: str
    clinic_contact: str

    @classmethod
    def of(cls, screening: Any, record: Any = None) -> ScreeningFacts:
        """``record``: the country's record as the screening's compiled version holds it (no query);
        by default the screening's own version's record row."""
        record = record if record is not None else screening.jurisdiction_record
        return cls(
            regulator=record.regulator if record is not None else str(_("the medicines regulator")),
            clinic_contact=" ".join(screening.clinic.adverse_event_contact.split()),
        )

    def fill(self, text: str) -> str:
        return _BRACED.sub(lambda m: str(getattr(self, m.group(1), m.group(0))), text)


def filled(question: TeachBackQuestionSpec, facts: ScreeningFacts) -> TeachBackQuestionSpec:
    """The question as the patient hears it, with the screening's facts in place."""
    return dataclasses.replace(
        question,
        prompt=facts.fill(question.prompt),
        explanation=facts.fill(question.explanation),
        choices=tuple(dataclasses.replace(c, label=facts.fill(c.label)) for c in question.choices),
    )


@dataclass(frozen=True)
class AnswerState:
    """What the patient answered to one question so far: the first answer, the latest, how many tries."""

    first_value: str
    final_value: str
    tries: int


RIGHT = "right"
WRONG = "wrong"
OPEN = "open"


@dataclass(frozen=True)
class QuestionState:
    question: TeachBackQuestionSpec  # filled with the screening's facts
    answer: AnswerState | None

    @property
    def status(self) -> str:
        if self.answer is None:
            return OPEN
        return RIGHT if self.question.is_right(self.answer.final_value) else WRONG

    @property
    def is_right(self) -> bool:
        return self.status == RIGHT

    @property
    def final_label(self) -> str:
        """The patient's latest answer in words."""
        return self.label(self.answer.final_value) if self.answer is not None else ""

    def label(self, value: str) -> str:
        choice: TeachBackChoiceSpec | None = self.question.choices_by_value.get(value)
        return choice.label if choice is not None else value

    def record(self) -> TeachBackRecord:
        answer = self.answer or AnswerState("", "", 0)
        return TeachBackRecord(
            code=self.question.code,
            prompt=self.question.prompt,
            right_answer=self.question.right_choice.label,
            first_answer=self.label(answer.first_value) if answer.first_value else "",
            final_answer=self.label(answer.final_value) if answer.final_value else "",
            tries=answer.tries,
            first_right=self.question.is_right(answer.first_value),
            final_right=self.question.is_right(answer.final_value),
        )


@dataclass(frozen=True)
class TeachBackCheck:
    questions: tuple[QuestionState, ...]

    @property
    def applies(self) -> bool:
        return bool(self.questions)

    @property
    def not_right(self) -> tuple[QuestionState, ...]:
        return tuple(q for q in self.questions if not q.is_right)

    @property
    def complete(self) -> bool:
        return not self.not_right

    @property
    def reason(self) -> str:
        """Why the consent cannot be signed yet, in words for the clinician; empty when it can."""
        n = len(self.not_right)
        if not n:
            return ""
        return ngettext(
            "Signing is not possible yet: %(n)d teach-back question still needs a right answer.",
            "Signing is not possible yet: %(n)d teach-back questions still need a right answer.",
            n,
        ) % {"n": n}

    def records(self) -> tuple[TeachBackRecord, ...]:
        return tuple(q.record() for q in self.questions)

    def state(self, code: str) -> QuestionState | None:
        return next((q for q in self.questions if q.question.code == code), None)


def teach_back_check(
    questions: Iterable[TeachBackQuestionSpec], answers: Mapping[str, AnswerState], facts: ScreeningFacts
) -> TeachBackCheck:
    return TeachBackCheck(questions=tuple(QuestionState(filled(q, facts), answers.get(q.code)) for q in questions))


def tries_text(record: TeachBackRecord) -> str:
    """How the patient got there, in a few words for the PDF and the signed page."""
    if record.first_right:
        return _("Right the first time")
    return ngettext("Right after %(n)d try", "Right after %(n)d tries", record.tries) % {"n": record.tries}
