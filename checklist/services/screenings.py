"""Writes to screenings: start, save a step's answers, sign, void, copy for correction.

Each function validates, runs in one transaction and leaves an audit trail; views, commands and
tests all call these instead of touching the models directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.models import Answer, AuditEvent, Decision, Question, Screening, ScreeningLocked, ScreeningNamePrefix
from checklist.models.content import clean_free_text
from checklist.models.screenings import random_code
from checklist.risk import Assessment, ChecklistSpec, evaluate, missing_required, visible_question_codes
from checklist.selectors import checklist_spec, checklist_version_published

NOTE_MAX_LENGTH = 1000
START_FIELDS = (
    "patient_name",
    "patient_dob",
    "patient_reference",
    "patient_language",
    "product_name",
    "product_maker",
    "intended_use",
    "intended_use_other",
    "route",
    "route_other",
    "planned_date",
    "jurisdiction",
)


class StaleScreening(Exception):
    """Someone else saved this screening since the form was loaded."""


class NoPublishedChecklist(Exception):
    """Screenings pin the published checklist; there is none."""


@dataclass(frozen=True)
class AnswerInput:
    value: Any
    note: str = ""


def audit_log(*, clinic, action: str, actor=None, screening: Screening | None = None, **detail: Any) -> AuditEvent:
    """Append to the audit log. ``detail`` holds identifiers and counts, never answers or secrets."""
    return AuditEvent.objects.create(clinic=clinic, screening=screening, actor=actor, action=action, detail=detail)


def screening_name_index(screening: Screening) -> None:
    """Refresh the name-search prefixes after the patient's name was set or corrected."""
    ScreeningNamePrefix.objects.filter(screening=screening).delete()
    ScreeningNamePrefix.objects.bulk_create(
        ScreeningNamePrefix(clinic_id=screening.clinic_id, screening=screening, prefix=prefix)
        for prefix in sorted(ScreeningNamePrefix.prefixes_of(screening.patient_name))
    )


def screening_answers(screening: Screening) -> dict[str, Any]:
    """Stored answer values by question code."""
    return screening_answers_with_notes(screening)[0]


def screening_answers_with_notes(screening: Screening) -> tuple[dict[str, Any], dict[str, str]]:
    """Stored answer values and clinicians' notes, by question code, in one query.

    ``Answer.objects`` rather than ``screening.answers``: on a step page the related manager's
    set-up cost more than the query itself.
    """
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    rows = Answer.objects.filter(screening_id=screening.pk).values_list("question__code", "value", "note")
    for code, value, note in rows:
        values[code] = value
        notes[code] = note
    return values, notes


def screening_assessment(
    screening: Screening, answers: Mapping[str, Any] | None = None
) -> tuple[ChecklistSpec, Assessment]:
    spec = checklist_spec(screening.version)
    if answers is None:
        answers = screening_answers(screening)
    return spec, evaluate(spec, answers, screening.risk_context())


def _apply_assessment(screening: Screening, spec: ChecklistSpec, answers: Mapping[str, Any]) -> Assessment:
    assessment = evaluate(spec, answers, screening.risk_context())
    screening.overall_risk = assessment.level.code
    screening.red_flag_count = len(assessment.red_flags)
    screening.caution_count = len(assessment.cautions)
    complete = not missing_required(spec, answers)
    screening.status = Screening.Status.AWAITING_SIGNATURE if complete else Screening.Status.DRAFT
    return assessment


@transaction.atomic
def screening_start(*, clinic, clinician, data: Mapping[str, Any]) -> Screening:
    """Open a draft screening under the checklist version published right now."""
    version = checklist_version_published()
    if version is None:
        raise NoPublishedChecklist(_("No checklist is published yet. Ask a content editor to publish one."))
    screening = Screening(clinic=clinic, clinician=clinician, version=version)
    for name in START_FIELDS:
        if name in data:
            setattr(screening, name, data[name])
    screening.full_clean()
    spec = checklist_spec(version)
    _apply_assessment(screening, spec, {})
    screening.save()
    screening_name_index(screening)
    audit_log(clinic=clinic, actor=clinician, screening=screening, action="screening.started")
    return screening


@transaction.atomic
def screening_details_update(*, screening: Screening, user, data: Mapping[str, Any]) -> Screening:
    """Correct the patient and treatment details of a draft (e.g. a typo in the name)."""
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    for name in START_FIELDS:
        if name in data:
            setattr(screening, name, data[name])
    screening.full_clean()
    _apply_assessment(screening, checklist_spec(screening.version), screening_answers(screening))
    screening.lock_version += 1
    screening.save()
    screening_name_index(screening)
    audit_log(clinic=screening.clinic, actor=user, screening=screening, action="screening.details_changed")
    return screening


@transaction.atomic
def screening_answers_save(
    *,
    screening: Screening,
    section_code: str,
    answers: Mapping[str, AnswerInput],
    user,
    expected_lock_version: int | None = None,
) -> tuple[Screening, Assessment]:
    """Save the answers of one section and re-assess the whole screening.

    Validation happens before anything is written: one bad answer leaves the database as it was.
    ``expected_lock_version`` is the value the form was loaded with; a mismatch means someone else
    saved in between, and raises :class:`StaleScreening` instead of silently overwriting.
    """
    screening = Screening.objects.select_for_update().select_related("jurisdiction", "version").get(pk=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    if expected_lock_version is not None and expected_lock_version != screening.lock_version:
        raise StaleScreening(_("Someone else saved this screening while you were working on it."))
    spec = checklist_spec(screening.version)
    section = spec.sections_by_code.get(section_code)
    if section is None:
        raise ValidationError(_("That step does not exist."))
    questions = {
        q.code: q
        for q in Question.objects.filter(
            section__version=screening.version, section__code=section_code
        ).prefetch_related("choices")
    }
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(_("Answers were sent for questions that are not on this step."))

    cleaned: dict[str, tuple[Any, str]] = {}
    errors: dict[str, list[str]] = {}
    for code, given in answers.items():
        question = questions[code]
        try:
            value = question.clean_answer(given.value, choice_values={c.value for c in question.choices.all()})
            note = clean_free_text(given.note or "", max_length=NOTE_MAX_LENGTH)
        except ValidationError as exc:
            errors[code] = exc.messages
            continue
        cleaned[code] = (value, note)
    if errors:
        raise ValidationError(errors)

    existing = {a.question_id: a for a in screening.answers.filter(question__in=questions.values())}
    for code, (value, note) in cleaned.items():
        question = questions[code]
        answer = existing.get(question.pk)
        if answer is None:
            if value is None and not note:
                continue
            Answer.objects.create(screening=screening, question=question, value=value, note=note, answered_by=user)
        elif answer.value != value or answer.note != note:
            answer.value, answer.note, answer.answered_by = value, note, user
            answer.save()

    all_answers = screening_answers(screening)
    assessment = _apply_assessment(screening, spec, all_answers)
    if section_code not in screening.saved_sections:
        screening.saved_sections = [*screening.saved_sections, section_code]
    screening.lock_version += 1
    screening.save()
    return screening, assessment


def _answer_display(question, value: Any) -> str:
    if value in (None, "", []):
        return ""
    if question.answer_type in {"yes_no_unsure", "single", "multiple"}:
        values = value if isinstance(value, list) else [value]
        return ", ".join(question.choices_by_value[v].label for v in values if v in question.choices_by_value)
    return str(value)


def screening_snapshot(screening: Screening, spec: ChecklistSpec, assessment: Assessment) -> dict[str, Any]:
    """Everything the signed record shows, frozen at signing so later edits of content cannot alter it."""
    stored = {a.question.code: a for a in screening.answers.select_related("question")}
    values = {code: a.value for code, a in stored.items()}
    visible = visible_question_codes(spec, values)
    sections = []
    for section in spec.sections:
        items = []
        for q in section.questions:
            if q.code not in visible:
                continue
            answer = stored.get(q.code)
            items.append(
                {
                    "code": q.code,
                    "prompt": q.prompt,
                    "patient_text": q.patient_text,
                    "answer": _answer_display(q, answer.value if answer else None),
                    "note": answer.note if answer else "",
                }
            )
        sections.append({"code": section.code, "title": section.title, "questions": items})
    jurisdiction = screening.jurisdiction
    return {
        "checklist_version": spec.version_number,
        "assessment": assessment.as_dict(),
        "key_facts": [{"code": f.code, "text": f.text, "references": list(f.references)} for f in spec.key_facts],
        "acknowledgements": [
            {"code": a.code, "text": a.text, "ticked": a.code in screening.acknowledged_codes}
            for a in spec.acknowledgements
        ],
        "sections": sections,
        "jurisdiction": {
            "code": jurisdiction.code,
            "name": jurisdiction.name,
            "regulator": jurisdiction.regulator,
            "summary": jurisdiction.summary,
            "no_approved_products": jurisdiction.no_approved_products,
            "report_name": jurisdiction.report_name,
            "report_url": jurisdiction.report_url,
            "report_phone": jurisdiction.report_phone,
            "report_instructions": jurisdiction.report_instructions,
            "last_reviewed": jurisdiction.last_reviewed.isoformat(),
            "references": sorted(jurisdiction.references.values_list("code", flat=True)),
        },
    }


def _new_verification_code() -> str:
    while True:
        code = random_code(10)
        if not Screening.objects.filter(verification_code=code).exists():
            return code


@transaction.atomic
def screening_sign(
    *,
    screening: Screening,
    acknowledged: list[str],
    decision: str,
    patient_signed_name: str,
    signature_png: bytes | None,
    attested_by,
) -> Screening:
    """Sign in one short transaction: status, time, signature, ticks, a frozen snapshot; answers locked.

    The row is locked first, so two simultaneous submissions produce exactly one signature; the
    second sees a signed screening and is refused. The take-home PDF is rendered afterwards, by a
    background task queued when this commits (``checklist.services.signed_pdf``): the lock is
    held for milliseconds, not for the second a render takes.
    """
    screening = (
        Screening.objects.select_for_update().select_related("jurisdiction", "version", "clinic").get(pk=screening.pk)
    )
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is already signed or voided."))
    spec, assessment = screening_assessment(screening)
    missing = missing_required(spec, screening_answers(screening))
    if missing:
        raise ValidationError(_("Answer every required question before signing (%(n)d left).") % {"n": len(missing)})
    codes = [a.code for a in spec.acknowledgements]
    if sorted(set(acknowledged)) != sorted(codes):
        raise ValidationError(_("Every statement must be read and ticked before signing."))
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision."))
    patient_signed_name = clean_free_text(patient_signed_name or "", max_length=200)
    if not patient_signed_name:
        raise ValidationError(_("The patient types their full name to sign."))

    screening.acknowledged_codes = codes
    screening.decision = decision
    screening.patient_signed_name = patient_signed_name
    screening.signature_png = signature_png
    screening.attested_by = attested_by
    screening.signed_at = timezone.now()
    screening.verification_code = _new_verification_code()
    screening.findings_snapshot = screening_snapshot(screening, spec, assessment)
    screening.overall_risk = assessment.level.code
    screening.status = Screening.Status.SIGNED
    screening.save()
    audit_log(
        clinic=screening.clinic,
        actor=attested_by,
        screening=screening,
        action="screening.signed",
        decision=decision,
        findings=len(assessment.findings),
    )
    _queue_pdf(screening)
    return screening


def _queue_pdf(screening: Screening) -> None:
    """The take-home PDF is rendered once, after signing; downloads serve exactly those bytes."""
    from checklist.services.signed_pdf import signed_pdf_render_requested  # it imports pdf, which imports us

    signed_pdf_render_requested(screening=screening)


@transaction.atomic
def screening_void(*, screening: Screening, user, reason: str) -> Screening:
    """Mark a signed screening as void. It stays on record with the reason; nothing else changes."""
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    reason = clean_free_text(reason or "", max_length=1000)
    if not reason:
        raise ValidationError(_("Say why this screening is void."))
    if screening.status == Screening.Status.VOIDED:
        raise ScreeningLocked(_("This screening is already void."))
    if screening.status != Screening.Status.SIGNED:
        raise ValidationError(_("Only a signed screening is voided; a draft can simply be corrected."))
    screening.status = Screening.Status.VOIDED
    screening.voided_at = timezone.now()
    screening.voided_by = user
    screening.void_reason = reason
    screening.save()
    audit_log(clinic=screening.clinic, actor=user, screening=screening, action="screening.voided")
    return screening


@transaction.atomic
def screening_copy_for_correction(*, screening: Screening, user) -> Screening:
    """Start a new draft with the same patient, treatment and answers, under today's checklist.

    Answers carry over by question code where the current version still asks that question and
    the answer is still valid for it; anything else is left for the clinician to answer again.
    """
    source = Screening.objects.get(pk=screening.pk)
    version = checklist_version_published() or source.version
    copy = Screening(clinic=source.clinic, clinician=user, version=version, corrected_from=source)
    for name in START_FIELDS:
        setattr(copy, name, getattr(source, name))
    copy.full_clean()
    copy.save()
    screening_name_index(copy)
    questions = {q.code: q for q in Question.objects.filter(section__version=version).prefetch_related("choices")}
    carried = 0
    for answer in source.answers.select_related("question"):
        question = questions.get(answer.question.code)
        if question is None or question.answer_type != answer.question.answer_type:
            continue
        try:
            value = question.clean_answer(answer.value)
        except ValidationError:
            continue
        Answer.objects.create(screening=copy, question=question, value=value, note=answer.note, answered_by=user)
        carried += 1
    spec = checklist_spec(version)
    _apply_assessment(copy, spec, screening_answers(copy))
    copy.saved_sections = [s.code for s in spec.sections if s.code in set(source.saved_sections)]
    copy.save()
    audit_log(
        clinic=copy.clinic,
        actor=user,
        screening=copy,
        action="screening.corrected_copy",
        source=source.reference,
        answers_carried=carried,
    )
    return copy
