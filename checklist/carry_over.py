"""Which answers of a screening carry over to another checklist version, and which to ask again.

Pure: two read models and the answers in, the plan out. An answer carries over when the new
version still asks its question (same code and answer type) and the answer is still valid there
(every choice it picked still exists, by value); otherwise the question is asked again. Used by
moving a draft off a retired version, by re-consent and by a corrected copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklist.spec import ChecklistSpec

CHOICE_CHANGED = _("its choices changed")
NEW_QUESTION = _("a new question")
NO_LONGER_ASKED = _("no longer asked")


@dataclass(frozen=True)
class QuestionNote:
    code: str
    prompt: str
    reason: str


@dataclass(frozen=True)
class CarryOver:
    carried: dict[str, tuple[Any, str]]  # question code in the new version: (value, note)
    ask_again: tuple[QuestionNote, ...]  # answered before, but the answer no longer fits
    new_questions: tuple[QuestionNote, ...]
    no_longer_asked: tuple[QuestionNote, ...]

    @property
    def to_ask_codes(self) -> list[str]:
        return [q.code for q in (*self.ask_again, *self.new_questions)]


def carry_over(old: ChecklistSpec, new: ChecklistSpec, answers: Mapping[str, tuple[Any, str]]) -> CarryOver:
    """The plan for answers given under ``old`` (code: (value, note)) when moving to ``new``."""
    carried: dict[str, tuple[Any, str]] = {}
    ask_again: list[QuestionNote] = []
    for code, (value, note) in answers.items():
        question = new.questions_by_code.get(code)
        before = old.questions_by_code.get(code)
        if question is None:
            continue
        try:
            if before is not None and before.answer_type != question.answer_type:
                raise ValidationError("answer type changed")
            carried[code] = (question.clean_answer(value), note)
        except ValidationError:
            ask_again.append(QuestionNote(code, question.prompt, str(CHOICE_CHANGED)))
    new_questions = tuple(
        QuestionNote(q.code, q.prompt, str(NEW_QUESTION))
        for s in new.sections
        for q in s.questions
        if q.code not in old.questions_by_code
    )
    gone = tuple(
        QuestionNote(q.code, q.prompt, str(NO_LONGER_ASKED))
        for s in old.sections
        for q in s.questions
        if q.code not in new.questions_by_code and q.code in answers
    )
    return CarryOver(carried, tuple(ask_again), new_questions, gone)
