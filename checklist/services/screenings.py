"""Writes to screenings: start, save a step's answers, sign, void, copy for correction.

Each function validates, runs in one transaction and leaves an audit trail; views, commands and
tests all call these instead of touching the models directly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from checklist.audit import audit_log
from checklist.models import (
    Answer,
    ChecklistVersion,
    Decision,
    Question,
    Screening,
    ScreeningLocked,
    ScreeningNamePrefix,
)
from checklist.models.screenings import random_code
from checklist.records import (
    COMPANION_ROLES,
    INTERPRETER,
    SIGNER_PATIENT,
    SIGNERS,
    CompanionRecord,
    SigningRecord,
    names_match,
    reflection_record,
)
from checklist.risk import Assessment, ChecklistSpec, evaluate, missing_required
from checklist.selectors import (
    checklist_spec,
    checklist_version_published,
    screening_answers,
    screening_answers_with_notes,
    screening_record,
    screening_risk_context,
)
from checklist.services.red_flags import red_flags_check_for_signing, red_flags_confirm
from checklist.services.signed_pdf import signed_pdf_render_requested
from checklist.services.teach_back import teach_back_check_for_signing
from checklist.spec import clean_free_text
from clinic.models import REFLECTION_HOURS, ReflectionPeriod

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


def screening_name_index(screening: Screening) -> None:
    """Refresh the name-search prefixes after the patient's name was set or corrected."""
    ScreeningNamePrefix.objects.filter(screening=screening).delete()
    ScreeningNamePrefix.objects.bulk_create(
        ScreeningNamePrefix(
            clinic_id=screening.clinic_id, screening=screening, prefix=prefix, created_at=screening.created_at
        )
        for prefix in sorted(ScreeningNamePrefix.prefixes_of(screening.patient_name))
    )


def _apply_assessment(screening: Screening, spec: ChecklistSpec, answers: Mapping[str, Any]) -> Assessment:
    assessment = evaluate(spec, answers, screening_risk_context(screening, spec))
    screening.overall_risk = assessment.level.code
    screening.red_flag_count = len(assessment.red_flags)
    screening.caution_count = len(assessment.cautions)
    complete = not missing_required(spec, answers)
    screening.status = Screening.Status.AWAITING_SIGNATURE if complete else Screening.Status.DRAFT
    return assessment


@transaction.atomic
def screening_start(
    *, clinic, clinician, data: Mapping[str, Any], version: ChecklistVersion | None = None
) -> Screening:
    """Open a draft screening under the checklist version published right now.

    ``version`` names another one: only demo data and tests pass it, for a screening as it stood
    when a now retired version was published (the app's pages always start under the published one).
    """
    version = version or checklist_version_published()
    if version is None:
        raise NoPublishedChecklist(_("No checklist is published yet. Ask a content editor to publish one."))
    screening = Screening(clinic=clinic, clinician=clinician, version=version)
    for name in START_FIELDS:
        if name in data:
            setattr(screening, name, data[name])
    screening.full_clean()
    spec = checklist_spec(version)
    _apply_assessment(screening, spec, {})
    screening._history_user = clinician  # type: ignore[attr-defined]
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
    screening._history_user = user  # type: ignore[attr-defined]
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
    question_ids = dict(
        Question.objects.filter(section__version=screening.version, section__code=section_code).values_list(
            "code", "id"
        )
    )
    questions = {q.code: q for q in section.questions}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(_("Answers were sent for questions that are not on this step."))

    cleaned: dict[str, tuple[Any, str]] = {}
    errors: dict[str, list[str]] = {}
    for code, given in answers.items():
        try:
            value = questions[code].clean_answer(given.value)
            note = clean_free_text(given.note or "", max_length=NOTE_MAX_LENGTH)
        except ValidationError as exc:
            errors[code] = exc.messages
            continue
        cleaned[code] = (value, note)
    if errors:
        raise ValidationError(errors)

    existing = {a.question_id: a for a in screening.answers.filter(question_id__in=question_ids.values())}
    first_answers = []
    for code, (value, note) in cleaned.items():
        answer = existing.get(question_ids[code])
        if answer is None:
            if value is None and not note:
                continue
            first_answers.append(
                Answer(screening=screening, question_id=question_ids[code], value=value, note=note, answered_by=user)
            )
        elif answer.value != value or answer.note != note:
            answer.value, answer.note, answer.answered_by = value, note, user
            answer._history_user = user
            answer.save()
    # The screening is locked for update and open (checked above), which is what each answer's
    # own save() would ask again: a step's first answers go in with one insert, and their history
    # with one more.
    bulk_create_with_history(first_answers, Answer, default_user=user, default_change_reason=None)

    all_answers = screening_answers(screening)
    assessment = _apply_assessment(screening, spec, all_answers)
    if section_code not in screening.saved_sections:
        screening.saved_sections = [*screening.saved_sections, section_code]
    screening.lock_version += 1
    screening._history_user = user  # type: ignore[attr-defined]
    screening.save()
    return screening, assessment


@transaction.atomic
def screening_answers_prefill(
    *, screening: Screening, values: Mapping[str, Any], user, unconfirm_sections: Collection[str] = ()
) -> Screening:
    """Set answers given elsewhere (a dossier's) and re-assess, without marking any section saved:
    the clinician still confirms each section for this patient. ``unconfirm_sections`` are taken
    out of the saved sections (their answers changed since they were confirmed)."""
    screening = Screening.objects.select_for_update().select_related("jurisdiction", "version").get(pk=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    spec = checklist_spec(screening.version)
    question_ids = dict(Question.objects.filter(section__version=screening.version).values_list("code", "id"))
    existing = {a.question_id: a for a in screening.answers.filter(question_id__in=question_ids.values())}
    for code, given in values.items():
        value = spec.questions_by_code[code].clean_answer(given)
        answer = existing.get(question_ids[code])
        if answer is None:
            answer = Answer(screening=screening, question_id=question_ids[code], value=value, answered_by=user)
        elif answer.value == value:
            continue
        answer.value, answer.answered_by = value, user
        answer._history_user = user  # type: ignore[union-attr]
        answer.save()
    _apply_assessment(screening, spec, screening_answers(screening))
    screening.saved_sections = [code for code in screening.saved_sections if code not in set(unconfirm_sections)]
    screening.lock_version += 1
    screening._history_user = user  # type: ignore[attr-defined]
    screening.save()
    return screening


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
    signer: str = SIGNER_PATIENT,
    representative_relationship: str = "",
    companions: Sequence[CompanionRecord] = (),
    accepted_risks: Collection[str] = (),
    cosigned_by=None,
) -> Screening:
    """Sign in one short transaction: status, time, signature, ticks, a frozen snapshot; answers locked.

    The row is locked first, so two simultaneous submissions produce exactly one signature; the
    second sees a signed screening and is refused. "Go ahead" is refused while a red flag is
    unresolved (``services.red_flags``), and any signing until the patient has answered every
    teach-back question right (``services.teach_back``). The take-home PDF is rendered afterwards, by a
    background task queued when this commits (``checklist.services.signed_pdf``): the lock is
    held for milliseconds, not for the second a render takes.
    """
    screening = (
        Screening.objects.select_for_update().select_related("jurisdiction", "version", "clinic").get(pk=screening.pk)
    )
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is already signed or voided."))
    spec = checklist_spec(screening.version)
    # Read once under the lock, and the record built from the same rows.
    answers = screening_answers_with_notes(screening)
    missing = missing_required(spec, answers[0])
    if missing:
        raise ValidationError(_("Answer every required question before signing (%(n)d left).") % {"n": len(missing)})
    codes = [a.code for a in spec.acknowledgements]
    if sorted(set(acknowledged)) != sorted(codes):
        raise ValidationError(_("Every statement must be read and ticked before signing."))
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision."))
    teach_back = teach_back_check_for_signing(screening=screening)
    patient_signed_name = clean_free_text(patient_signed_name or "", max_length=200)
    signing = _signing_record(
        screening,
        signed_name=patient_signed_name,
        signer=signer,
        relationship=representative_relationship,
        companions=companions,
    )

    screening.acknowledged_codes = codes
    screening.decision = decision
    screening.patient_signed_name = patient_signed_name
    screening.signature_png = signature_png
    screening.attested_by = attested_by
    screening.signed_at = timezone.now()
    record = screening_record(screening, acknowledged=tuple(codes), answers=answers, teach_back=teach_back)
    accepted = red_flags_check_for_signing(
        screening=screening,
        record=record,
        decision=decision,
        accepted_risks=accepted_risks,
        attested_by=attested_by,
        cosigned_by=cosigned_by,
    )
    cosigning = bool(accepted) and screening.clinic.cosign_accepted_red_flags
    if accepted:
        red_flags_confirm(screening=screening, accepted=accepted)
        record = screening_record(screening, acknowledged=tuple(codes), answers=answers, teach_back=teach_back)
    period = screening.clinic.reflection_period_for(screening.intended_use)
    reflection = reflection_record(
        period=period, hours=REFLECTION_HOURS[ReflectionPeriod(period)], signed_at=screening.signed_at
    )
    record = replace(record, signing=signing, reflection=reflection)
    screening.verification_code = _new_verification_code()
    if cosigning:
        screening.cosigned_by = cosigned_by
        screening.cosigned_at = screening.signed_at
    screening.findings_snapshot = record.to_json()
    screening.overall_risk = record.assessment.level.code
    screening.status = Screening.Status.SIGNED
    screening._history_user = attested_by  # type: ignore[attr-defined]
    screening.save(update_fields=Screening.SIGNING_FIELDS)
    audit_log(
        clinic=screening.clinic,
        actor=attested_by,
        screening=screening,
        action="screening.signed",
        decision=decision,
        findings=len(record.assessment.findings),
    )
    if cosigning:
        audit_log(
            clinic=screening.clinic,
            actor=cosigned_by,
            screening=screening,
            action="screening.cosigned",
            accepted_red_flags=len(accepted),
        )
    # The take-home PDF is rendered once, after this transaction commits; downloads serve exactly those bytes.
    signed_pdf_render_requested(screening=screening)
    return screening


def _signing_record(
    screening: Screening, *, signed_name: str, signer: str, relationship: str, companions: Sequence[CompanionRecord]
) -> SigningRecord:
    """Check who signs and who took part, as the record will keep them. The patient signs under the
    name on the record (case, accents and spacing aside); anyone else signs as a representative."""
    if signer not in SIGNERS:
        raise ValidationError(_("Say who is signing: the patient or a legally authorised representative."))
    if not signed_name:
        raise ValidationError({"patient_signed_name": _("The person signing types their full name.")})
    relationship = clean_free_text(relationship or "", max_length=200)
    if signer == SIGNER_PATIENT:
        if not names_match(signed_name, screening.patient_name):
            raise ValidationError({"patient_signed_name": name_mismatch_message(signed_name, screening.patient_name)})
        relationship = ""
    elif not relationship:
        raise ValidationError(
            {"representative_relationship": _("Say how the representative is related to the patient.")}
        )
    kept = []
    for companion in companions:
        name = clean_free_text(companion.name or "", max_length=200)
        language = clean_free_text(companion.language or "", max_length=50)
        if companion.role not in COMPANION_ROLES or not name:
            raise ValidationError(_("An interpreter or a witness is recorded with their full name."))
        if companion.role == INTERPRETER and not language:
            raise ValidationError({"interpreter_language": _("Say which language the interpreter interpreted.")})
        kept.append(
            CompanionRecord(role=companion.role, name=name, language=language if companion.role == INTERPRETER else "")
        )
    if len({c.role for c in kept}) != len(kept):
        raise ValidationError(_("Record one interpreter and one witness at most."))
    return SigningRecord(signed_name=signed_name, signer=signer, relationship=relationship, companions=tuple(kept))


def name_mismatch_message(typed: str, recorded: str) -> str:
    return _(
        'The name typed, "%(typed)s", is not the name on the record, "%(recorded)s". Who is signing? '
        "If it is the patient, correct the name. If someone signs for the patient, choose "
        '"A legally authorised representative" and give their relationship to the patient.'
    ) % {"typed": typed, "recorded": recorded}


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
    screening._history_user = user  # type: ignore[attr-defined]
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
    copy._history_user = user  # type: ignore[attr-defined]
    copy.save()
    screening_name_index(copy)
    spec = checklist_spec(version)
    question_ids = dict(Question.objects.filter(section__version=version).values_list("code", "id"))
    carried = 0
    for answer in source.answers.select_related("question"):
        question = spec.questions_by_code.get(answer.question.code)
        if question is None or question.answer_type != answer.question.answer_type:
            continue
        try:
            value = question.clean_answer(answer.value)
        except ValidationError:
            continue
        carried_answer = Answer(
            screening=copy, question_id=question_ids[question.code], value=value, note=answer.note, answered_by=user
        )
        carried_answer._history_user = user  # type: ignore[attr-defined]
        carried_answer.save()
        carried += 1
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
