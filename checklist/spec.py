"""The one read model of a checklist version: frozen dataclasses, and their JSON form.

Every reader of checklist content works on these values: the content file parses into them
(:mod:`checklist.content_schema`), the database maps to and from them
(:func:`checklist.selectors.checklist_spec`, :func:`checklist.services.checklist_versions.checklist_version_build`),
the risk engine, forms, pages and PDF read them, and a signed screening's record stores them
(:mod:`checklist.records`) through :func:`to_data` and :func:`from_data`. A new content field is
added here once, with its column, its content-file key (the same name) and nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from checklist.vocabulary import CHOICE_TYPES, AnswerType, Level, Scope

TEXT_ANSWER_MAX_LENGTH = 2000
# Characters a typed answer may not contain: C0 controls other than tab, newline and return.
_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ReferenceSpec:
    code: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    accessed: str = ""  # for a web page, when its content was checked (ISO date); not its publication date

    @property
    def citation(self) -> str:
        text = ". ".join(part for part in (self.title, self.publisher, self.date) if part)
        return f"{text} ({self.accessed_text})" if self.accessed else text

    @property
    def accessed_text(self) -> str:
        """The words "accessed 2 December 2026" for a web page; nothing when the date is not recorded."""
        if not self.accessed:
            return ""
        day = dt.date.fromisoformat(self.accessed)
        return f"accessed {day.day} {day:%B %Y}"

    @property
    def short_citation(self) -> str:
        """Publisher and year: enough for a patient to see where a statement comes from."""
        return " ".join(part for part in (self.publisher or self.title, self.date[:4]) if part)


@dataclass(frozen=True)
class JurisdictionSpec:
    """Where a patient lives: who regulates these products there and how to report a reaction."""

    code: str
    name: str
    regulator: str
    summary: str
    last_reviewed: str  # ISO date
    no_approved_products: bool = True
    bans_human_derived_cosmetics: bool = False
    report_name: str = ""
    report_url: str = ""
    report_phone: str = ""
    report_instructions: str = ""
    references: tuple[str, ...] = ()

    @property
    def last_reviewed_date(self) -> dt.date:
        return dt.date.fromisoformat(self.last_reviewed)


@dataclass(frozen=True)
class ChoiceSpec:
    value: str
    label: str
    level: Level = Level.NONE
    clinician_flag: str = ""
    patient_flag: str = ""
    ask: str = ""
    references: tuple[str, ...] = ()
    # An exclusive choice ("None of these") of a multiple-choice question cannot be ticked with others.
    exclusive: bool = False


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
    scope: str = Scope.PATIENT

    @cached_property
    def choices_by_value(self) -> dict[str, ChoiceSpec]:
        return {c.value: c for c in self.choices}

    @property
    def has_choices(self) -> bool:
        return self.answer_type in CHOICE_TYPES

    def clean_answer(self, value: Any) -> str | list[str] | None:
        """Validate and normalise an answer against this question's type.

        Returns the value as stored (a string, a list of strings, or an ISO date string), or None
        for "no answer".
        """
        return clean_answer(
            self.answer_type,
            value,
            choice_values=self.choices_by_value.keys(),
            exclusive_values={c.value for c in self.choices if c.exclusive},
        )

    def answer_text(self, value: Any) -> str:
        """A stored answer in words: the labels of the choices picked, or the text as typed."""
        if value in (None, "", []):
            return ""
        if self.has_choices:
            picked = value if isinstance(value, list) else [value]
            return ", ".join(self.choices_by_value[v].label for v in picked if v in self.choices_by_value)
        return str(value)


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    questions: tuple[QuestionSpec, ...]
    clinician_guidance: str = ""
    patient_intro: str = ""
    # The sources of ``patient_intro`` (v1 cites none; a record signed before they were kept reads as none).
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionSpec:
    """Holds when the question's answer (or the context fact) is among ``values``.

    Two other forms test dates and gaps: with ``before_question`` or ``before_context`` it holds
    when the subject's date is earlier than that other answer's or fact's date (a lot that expires
    before the planned treatment day); with ``missing`` it holds when a shown question has no answer.
    """

    values: frozenset[str]
    question: str | None = None
    context_key: str | None = None
    before_question: str | None = None
    before_context: str | None = None
    missing: bool = False


@dataclass(frozen=True)
class RuleSpec:
    """A flag raised only when several answers (and facts of the screening) hold together."""

    code: str
    level: Level
    conditions: tuple[ConditionSpec, ...]
    clinician_flag: str
    patient_flag: str
    ask: str = ""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementSpec:
    """A key fact every patient hears, or a consent statement the patient ticks."""

    code: str
    text: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeachBackChoiceSpec:
    """One answer the patient may give to a teach-back question; ``correct`` marks the right one."""

    value: str
    label: str
    correct: bool = False


@dataclass(frozen=True)
class TeachBackQuestionSpec:
    """A question the patient answers before signing, to show they understood (teach-back).

    A wrong answer shows ``explanation``, read together, and the question is asked again. Texts may
    name the screening's own facts (``{regulator}``, ``{clinic_contact}``): see :mod:`checklist.teach_back`.
    """

    code: str
    prompt: str
    choices: tuple[TeachBackChoiceSpec, ...]
    explanation: str
    references: tuple[str, ...] = ()

    @cached_property
    def choices_by_value(self) -> dict[str, TeachBackChoiceSpec]:
        return {c.value: c for c in self.choices}

    @property
    def right_choice(self) -> TeachBackChoiceSpec:
        return next(c for c in self.choices if c.correct)

    def is_right(self, value: str) -> bool:
        choice = self.choices_by_value.get(value)
        return choice is not None and choice.correct


@dataclass(frozen=True)
class ChecklistSpec:
    """One checklist version with the sources and jurisdictions it is read with."""

    version_number: int
    sections: tuple[SectionSpec, ...]
    rules: tuple[RuleSpec, ...] = ()
    references: Mapping[str, ReferenceSpec] = field(default_factory=dict)
    key_facts: tuple[StatementSpec, ...] = ()
    acknowledgements: tuple[StatementSpec, ...] = ()
    jurisdictions: tuple[JurisdictionSpec, ...] = ()
    # Asked before signing; a version without them (v1) has no teach-back step.
    teach_back: tuple[TeachBackQuestionSpec, ...] = ()

    @cached_property
    def questions(self) -> tuple[QuestionSpec, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def questions_by_code(self) -> dict[str, QuestionSpec]:
        return {q.code: q for q in self.questions}

    @cached_property
    def sections_by_code(self) -> dict[str, SectionSpec]:
        return {s.code: s for s in self.sections}

    @cached_property
    def jurisdictions_by_code(self) -> dict[str, JurisdictionSpec]:
        return {j.code: j for j in self.jurisdictions}

    def same_version_content(self, other: ChecklistSpec) -> bool:
        """True when both hold the same questions, rules, statements and jurisdiction records (the
        versioned part; references are a library shared by all versions)."""
        mine = (self.sections, self.rules, self.key_facts, self.acknowledgements, self.teach_back, self.jurisdictions)
        return mine == (
            other.sections,
            other.rules,
            other.key_facts,
            other.acknowledgements,
            other.teach_back,
            other.jurisdictions,
        )

    def resolve(self, codes: tuple[str, ...]) -> tuple[ReferenceSpec, ...]:
        return tuple(self.references[c] for c in codes if c in self.references)

    def pruned(self, *, question_codes: frozenset[str], cited: frozenset[str]) -> ChecklistSpec:
        """Only the questions a screening showed and the references cited: what its record keeps."""
        sections = tuple(
            dataclasses.replace(s, questions=tuple(q for q in s.questions if q.code in question_codes))
            for s in self.sections
        )
        kept = dataclasses.replace(self, sections=sections, rules=(), jurisdictions=(), references={})
        codes = set(cited)
        for section in kept.sections:
            codes.update(section.references)
        for question in kept.questions:
            codes.update(question.references)
            for choice in question.choices:
                codes.update(choice.references)
        for statement in (*kept.key_facts, *kept.acknowledgements):
            codes.update(statement.references)
        for teach_back in kept.teach_back:
            codes.update(teach_back.references)
        return dataclasses.replace(
            kept, references={c: self.references[c] for c in sorted(codes) if c in self.references}
        )


def clean_free_text(value: str, *, max_length: int) -> str:
    """Typed text is kept as typed, but never with control characters or beyond its limit."""
    if _FORBIDDEN_CONTROL.search(value):
        raise ValidationError(_("Remove the invisible control characters from this text."), code="control_chars")
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            _("Keep this to %(max)d characters (it has %(n)d)."),
            code="too_long",
            params={"max": max_length, "n": len(value)},
        )
    return value


def clean_answer(
    answer_type: str,
    value: Any,
    *,
    choice_values: typing.Collection[str],
    exclusive_values: typing.Collection[str] = (),
) -> str | list[str] | None:
    """An answer validated against a question's type and choices, in its stored form.

    An exclusive choice ("None of these") of a multiple-choice question stands alone: ticked with
    another choice, the answer is refused rather than guessed at.
    """
    if value is None or value == "" or value == []:
        return None
    if answer_type == AnswerType.MULTIPLE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Choose from the listed options."), code="invalid_choice")
        if any(v not in choice_values for v in value):
            raise ValidationError(_("That option is not one of this question's choices."), code="invalid_choice")
        picked = sorted(set(value), key=list(value).index)
        if len(picked) > 1 and any(v in exclusive_values for v in picked):
            raise ValidationError(
                _("“None of these” cannot be ticked together with another option. Untick one of them."),
                code="exclusive_choice",
            )
        return picked
    if answer_type in CHOICE_TYPES:
        if not isinstance(value, str) or value not in choice_values:
            raise ValidationError(_("That option is not one of this question's choices."), code="invalid_choice")
        return value
    if answer_type == AnswerType.DATE:
        if isinstance(value, dt.date):
            parsed = value
        else:
            try:
                parsed = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(_("Enter a real date."), code="invalid_date") from None
        if not 1900 <= parsed.year <= 2100:
            raise ValidationError(_("Enter a date between 1900 and 2100."), code="invalid_date")
        return parsed.isoformat()
    if not isinstance(value, str):
        raise ValidationError(_("Enter text."), code="invalid_text")
    return clean_free_text(value, max_length=TEXT_ANSWER_MAX_LENGTH)


# --- JSON form --------------------------------------------------------------------------------


class DataError(ValueError):
    """Stored data does not have the shape of the read model it claims to be."""


_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})
# Frozen content of a compiled version, converted to JSON data once (:func:`_shared_content_data`).
_SHARED_CONTENT = frozenset(
    {
        ChecklistSpec,
        SectionSpec,
        QuestionSpec,
        ReferenceSpec,
        StatementSpec,
        TeachBackQuestionSpec,
        JurisdictionSpec,
        RuleSpec,
    }
)
_DATA_MEMO = "_json_data"


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, looked up once per class; ``None`` for any other type."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return None


def _shared_content_data(value: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A compiled version's content as JSON data, converted once per object and kept on it.

    Every signing stores the questions it showed and the sources cited (tens of thousands of
    values); the question and reference objects are those of the version compiled once per
    process (``selectors.checklist_spec``), and never change, so each is converted once, not at
    each signing. Shared between records: read the data, never change it."""
    data = value.__dict__.get(_DATA_MEMO)
    if data is None:
        data = value.__dict__[_DATA_MEMO] = {name: to_data(getattr(value, name)) for name in names}
    return data


def to_data(value: Any) -> Any:
    """A read-model value as JSON data: dataclasses as objects (field names as keys), levels
    and other enums by their codes, sets sorted, dates in ISO form.

    Signing serialises a whole checklist (tens of thousands of values), so the common cases come
    first and are decided by the value's exact type: a plain string or number as it is, a
    dataclass by its field names, read once per class."""
    kind: type = type(value)
    if kind in _JSON_LEAVES:
        return value
    names = _field_names(kind)
    if names is not None:
        if kind in _SHARED_CONTENT:
            return _shared_content_data(value, names)
        return {name: to_data(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return [to_data(v) for v in value]
    if isinstance(value, Level):
        return value.code
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(to_data(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(kind: Any, data: Any, path: str = "$") -> Any:
    """The inverse of :func:`to_data`, guided by the type hints of ``kind``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return from_data(inner, data, path)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise DataError(f"{path}: expected an object for {kind.__name__}")
        hints = _field_types(kind)
        values = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                values[f.name] = from_data(hints[f.name], data[f.name], f"{path}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise DataError(f"{path}: missing '{f.name}'")
        return kind(**values)
    if kind is Level:
        try:
            return Level.from_code(data)
        except (KeyError, ValueError):
            raise DataError(f"{path}: {data!r} is not a risk level") from None
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError:
            raise DataError(f"{path}: {data!r} is not a {kind.__name__}") from None
    if origin is tuple:
        return tuple(from_data(args[0], v, f"{path}[{i}]") for i, v in enumerate(_list(data, path)))
    if origin in (frozenset, set):
        return frozenset(from_data(args[0], v, f"{path}[{i}]") for i, v in enumerate(_list(data, path)))
    if origin in (dict, Mapping):
        if not isinstance(data, dict):
            raise DataError(f"{path}: expected an object")
        return {k: from_data(args[1], v, f"{path}.{k}") for k, v in data.items()}
    if kind in (str, int, bool) and not (isinstance(data, kind) and (kind is bool or not isinstance(data, bool))):
        raise DataError(f"{path}: expected {kind.__name__}, got {type(data).__name__}")
    return data


def _list(data: Any, path: str) -> list:
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a list")
    return data
