"""What each question card of a step page shows: from the stored answers, or from a sent form.

A card is a frozen value built from the read model (:mod:`checklist.spec`) and one patient's
answers, drawn by the ``question_card`` tag (``checklist/templatetags/exosafe.py``); nothing of it outlives the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.http import QueryDict

from checklist.forms import SectionAnswersForm, answer_field_name, note_field_name
from checklist.risk import Assessment, Finding, QuestionSpec, SectionSpec


@dataclass(frozen=True)
class QuestionCard:
    question: QuestionSpec
    visible: bool = True
    selected: frozenset[str] = frozenset()  # the choices picked, for choice questions
    text: str = ""  # the answer, for free-text and date questions
    note: str = ""
    errors: tuple[str, ...] = ()
    note_errors: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def name(self) -> str:
        return answer_field_name(self.question.code)

    @property
    def note_name(self) -> str:
        return note_field_name(self.question.code)


def question_cards(
    section: SectionSpec,
    *,
    values: Mapping[str, Any],
    notes: Mapping[str, str],
    visible: frozenset[str],
    assessment: Assessment,
    form: SectionAnswersForm | None = None,
) -> list[QuestionCard]:
    """One card per question of ``section``; with a bound ``form``, what was sent and its errors."""
    findings_by_question: dict[str, list[Finding]] = {}
    for finding in assessment.for_section(section.code):
        if finding.question_code:
            findings_by_question.setdefault(finding.question_code, []).append(finding)
    cards = []
    for question in section.questions:
        name, note_name = answer_field_name(question.code), note_field_name(question.code)
        if form is not None:
            data = cast(QueryDict, form.data)
            picked = data.getlist(name)
            text, note = data.get(name, ""), data.get(note_name, "")
            errors = tuple(str(e) for e in form.errors.get(name, ()))
            note_errors = tuple(str(e) for e in form.errors.get(note_name, ()))
        else:
            stored = values.get(question.code)
            picked = stored if isinstance(stored, list) else [stored] if stored else []
            text, note = stored if isinstance(stored, str) else "", notes.get(question.code, "")
            errors = note_errors = ()
        cards.append(
            QuestionCard(
                question=question,
                visible=question.code in visible,
                selected=frozenset(v for v in picked if v in question.choices_by_value),
                text="" if question.choices else text,
                note=note,
                errors=errors,
                note_errors=note_errors,
                findings=tuple(findings_by_question.get(question.code, ())),
            )
        )
    return cards
