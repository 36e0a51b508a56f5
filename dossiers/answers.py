"""What a dossier answers for a screening (pure): each revision's answers to the questions of its
scope, plus the answers its own fields settle (a lot without a certificate has none; an expired
lot was not kept "within expiry"; a product's label is what it is). Everything is keyed on the
questions' ``scope`` and their codes in the screening's version: a question the version does not
ask, or asks of another scope, is left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from checklist.spec import ChecklistSpec
from checklist.vocabulary import Level, Scope

# The product's label field, as the answer to the label question.
LABEL_ANSWERS = {"medicine": "medicine", "cosmetic": "cosmetic", "research_only": "research_use_only"}


def lot_is_expired(lot_fields: Mapping[str, Any], on: dt.date) -> bool:
    expiry = lot_fields.get("expiry_date")
    return bool(expiry) and dt.date.fromisoformat(str(expiry)) < on


def answers_from_fields(scope: str, fields: Mapping[str, Any], *, on: dt.date) -> dict[str, Any]:
    """The answers a dossier's own fields settle, whatever its answers say (facts win)."""
    if scope == Scope.PRODUCT:
        label = LABEL_ANSWERS.get(fields.get("label", ""))
        return {"product_label": label} if label else {}
    if scope == Scope.LOT:
        out: dict[str, Any] = {}
        if fields.get("lot_number"):
            out["lot_number"] = fields["lot_number"]
        if fields.get("expiry_date"):
            out["lot_expiry_date"] = str(fields["expiry_date"])
        if not fields.get("has_certificate"):
            out["sterility_certificate"] = "no"
        if lot_is_expired(fields, on):
            out["storage_cold_chain"] = "no"
        return out
    if scope == Scope.CLINIC:
        out = {}
        if fields.get("practitioners"):
            out["practitioner_details"] = fields["practitioners"]
        if fields.get("contact_line"):
            out["clinic_contact_details"] = fields["contact_line"]
        return out
    return {}


def dossier_answers(
    spec: ChecklistSpec, revisions: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]] | None], *, on: dt.date
) -> dict[str, Any]:
    """Question code to answer, from each scope's revision (``scope -> (fields, answers)``), for the
    questions of that scope in ``spec``; an answer the question no longer accepts is left out."""
    out: dict[str, Any] = {}
    for scope, revision in revisions.items():
        if revision is None:
            continue
        fields, answers = revision
        combined = {**answers, **answers_from_fields(scope, fields, on=on)}
        for code, given in combined.items():
            question = spec.questions_by_code.get(code)
            if question is None or question.scope != scope:
                continue
            try:
                value = question.clean_answer(given)
            except ValidationError:
                continue
            if value not in (None, "", []):
                out[code] = value
    return out


def same_answer(a: Any, b: Any) -> bool:
    """Two answers alike, the order of a multiple choice aside."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(a) == sorted(b)
    return a == b


@dataclass(frozen=True)
class DossierFlag:
    """A flag a dossier's own answers raise for every patient it is used for."""

    question_code: str
    level: Level
    text: str


def dossier_flags(spec: ChecklistSpec, answers: Mapping[str, Any]) -> tuple[DossierFlag, ...]:
    """The flags the chosen answers raise by themselves, red flags first (rules that also need the
    patient or the treatment are judged in each screening)."""
    flags = []
    for code, value in answers.items():
        question = spec.questions_by_code.get(code)
        if question is None:
            continue
        for picked in value if isinstance(value, list) else [value]:
            choice = question.choices_by_value.get(picked)
            if choice is not None and choice.level > Level.NONE:
                flags.append(DossierFlag(code, choice.level, choice.clinician_flag or question.prompt))
    return tuple(sorted(flags, key=lambda f: f.level, reverse=True))
