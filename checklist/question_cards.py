"""What each question card of a step page shows: from the stored answers, or from a sent form.

A card is a frozen value built from the read model (:mod:`checklist.spec`) and one patient's
answers, drawn by the ``question_card`` tag (``checklist/templatetags/exosafe.py``); nothing of it outlives the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.http import QueryDict
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from checklist.content_markup import content_markup
from checklist.forms import SectionAnswersForm, answer_field_name, note_field_name
from checklist.risk import Assessment, Finding, QuestionSpec, SectionSpec
from checklist.vocabulary import AnswerType


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


@dataclass(frozen=True)
class _QuestionMarkup:
    """The parts of a card that depend only on the published question (and the language)."""

    attributes: str  # of the fieldset, except ``hidden``
    text: str  # the read-aloud text, the prompt and why it matters
    choices: tuple[tuple[str, str, str], ...]  # (value, markup before " checked", markup after)
    choice_group: tuple[str, str]  # the markup around the choices
    answer_label: str  # the hidden label of a typed answer
    note_label: str


@lru_cache(maxsize=4096)
def _question_markup(question: QuestionSpec, language: str | None) -> _QuestionMarkup:
    """Keyed by the frozen question itself, never an id: a draft's reworded question is a new key.
    ``language`` is part of the key only: the labels are translated in the active language."""
    name = answer_field_name(question.code)
    attributes = [format_html(' id="question-{}" data-question="{}"', question.code, question.code)]
    if question.depends_on:
        attributes.append(
            format_html(
                ' data-depends-on="{}" data-depends-values="{}"',
                question.depends_on,
                " ".join(sorted(question.depends_on_values)),
            )
        )
    levels = " ".join(f"{c.value}:{c.level.code}" for c in question.choices)
    attributes.append(format_html(' data-levels="{}" aria-describedby="read-{}"', levels, question.code))
    kind = "checkbox" if question.answer_type == AnswerType.MULTIPLE else "radio"
    choices = tuple(
        (
            c.value,
            format_html(
                '<div class="choice"><input type="{}" class="btn-check" name="{}" id="id_{}_{}" value="{}"',
                kind,
                name,
                name,
                i,
                c.value,
            ),
            format_html(
                '{}{}><label class="btn btn-outline-primary choice-label" for="id_{}_{}">{}</label></div>',
                # The concern a flagged choice raises, so the live text and the flags panel can name it.
                format_html(' data-flag="{}"', c.clinician_flag) if c.clinician_flag else "",
                SafeString(" data-exclusive") if c.exclusive else "",
                name,
                i,
                c.label,
            ),
        )
        for i, c in enumerate(question.choices)
    )
    inline = " choice-inline" if question.answer_type == AnswerType.YES_NO_UNSURE else ""
    return _QuestionMarkup(
        attributes="".join(attributes),
        text=content_markup("checklist/partials/question_text.html", question=question),
        choices=choices,
        choice_group=(format_html('<div class="choice-group{}">\n', inline), "\n</div>"),
        answer_label=format_html('<label class="form-label visually-hidden" for="id_{}">{}</label>', name, _("Answer")),
        note_label=format_html(
            '<label class="form-label small mb-1" for="id_{}">{}</label>',
            note_field_name(question.code),
            _("Clinician's note (optional)"),
        ),
    )


def _errors(errors: tuple[str, ...]) -> str:
    return format_html_join("", '<div class="invalid-feedback d-block">{}</div>\n', ((e,) for e in errors))


def card_markup(card: QuestionCard) -> SafeString:
    """One card: its published text, the patient's answer and the clinician's note."""
    question = card.question
    parts = _question_markup(question, get_language())
    if question.choices:
        answer = (
            parts.choice_group[0]
            + "\n".join(
                before + (" checked" if value in card.selected else "") + after
                for value, before, after in parts.choices
            )
            + parts.choice_group[1]
        )
    elif question.answer_type == AnswerType.DATE:
        answer = parts.answer_label + (
            f'<input type="date" class="form-control" name="{card.name}" id="id_{card.name}"'
            f' value="{escape(card.text)}">'
        )
    else:
        answer = parts.answer_label + (
            f'<textarea class="form-control" name="{card.name}" id="id_{card.name}" rows="2"'
            f' maxlength="2000">{escape(card.text)}</textarea>'
        )
    findings = "".join(content_markup("checklist/partials/question_flag.html", finding=f) for f in card.findings)
    return SafeString(
        f'<fieldset class="question card mb-3{" has-error" if card.errors else ""}"{parts.attributes}'
        f'{" hidden" if not card.visible else ""}>\n{parts.text}\n<div class="card-body pt-0">\n'
        f'<div class="answer mt-3">\n{answer}\n{_errors(card.errors)}</div>\n'
        '<p class="live-risk small mt-2 mb-0" aria-live="polite" data-live-risk></p>\n'
        f'{findings}<div class="note mt-3">\n{parts.note_label}\n'
        f'<textarea class="form-control note-input" name="{card.note_name}" id="id_{card.note_name}" rows="1"'
        f' maxlength="1000">{escape(card.note)}</textarea>\n{_errors(card.note_errors)}</div>\n</div>\n</fieldset>'
    )
