"""Writes to dossiers. Every save of a product, lot or clinic profile that changes something writes
a new revision (who, when, the fields and the answers), so a screening can point at the exact
state it used and a later change never rewrites it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from checklist.audit import audit_log
from checklist.models import Screening, ScreeningLocked
from checklist.risk import Assessment
from checklist.selectors import checklist_spec, checklist_version_published
from checklist.services.screenings import (
    NOTE_MAX_LENGTH,
    AnswerInput,
    screening_answers_prefill,
    screening_answers_save,
    screening_start,
)
from checklist.spec import clean_free_text
from dossiers.answers import dossier_answers, same_answer
from dossiers.models import (
    ClinicProfile,
    DossierDocument,
    DossierKind,
    DossierOverride,
    DossierRevision,
    Lot,
    Product,
    ScreeningDossier,
)
from dossiers.selectors import latest_revision, scope_questions, screening_day, screening_dossier_forget
from dossiers.uploads import UploadRefused, check_upload

PRODUCT_FIELDS = (
    "name",
    "maker",
    "distributor",
    "country_of_manufacture",
    "source_material",
    "label",
    "regulatory_documents",
    "registry_link",
    "evidence",
    "storage_conditions",
)
LOT_FIELDS = (
    "lot_number",
    "expiry_date",
    "has_certificate",
    "sterility_result",
    "endotoxin_result",
    "received_on",
    "storage_log",
)
PROFILE_FIELDS = (
    "setting",
    "practitioners",
    "emergency_plan",
    "contact_line",
    "out_of_hours_advice",
    "adverse_event_reporting",
)
_SUBJECT_FIELD = {DossierKind.PRODUCT: "product", DossierKind.LOT: "lot", DossierKind.CLINIC: "profile"}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _clean_answers(kind: str, version, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the questions of this dossier's scope, each answer checked by its own question."""
    out = {}
    for question in scope_questions(kind, version):
        value = question.clean_answer(answers.get(question.code))
        if value not in (None, "", []):
            out[question.code] = value
    return out


def _revise(
    *, kind: str, subject: Model, clinic, actor, names: tuple[str, ...], answers: dict, action: str, name: str
) -> DossierRevision:
    """A new revision when the fields or answers differ from the latest one; else the latest."""
    version = checklist_version_published()
    if version is None:
        raise ValueError("No published checklist: a dossier answers the questions of the published version.")
    fields = {name: _json_value(getattr(subject, name)) for name in names}
    cleaned = _clean_answers(kind, version, answers)
    latest = latest_revision(subject)
    if latest is not None and latest.fields == fields and latest.answers == cleaned and latest.version_id == version.pk:
        return latest
    revision = DossierRevision.objects.create(
        clinic=clinic,
        kind=kind,
        number=(latest.number + 1) if latest else 1,
        version=version,
        fields=fields,
        answers=cleaned,
        created_by=actor,
        **{_SUBJECT_FIELD[DossierKind(kind)]: subject},
    )
    audit_log(clinic=clinic, actor=actor, action=action, name=name, revision=revision.number)
    return revision


def _assign(subject: Model, names: tuple[str, ...], data: dict[str, Any]) -> None:
    for name in names:
        if name in data:
            setattr(subject, name, data[name])
    subject.full_clean(exclude=["clinic", "product"])


@transaction.atomic
def product_save(
    *, clinic, actor, data: dict[str, Any], answers: dict[str, Any], product: Product | None = None
) -> Product:
    """Create or change a product and write its revision."""
    product = product or Product(clinic=clinic)
    _assign(product, PRODUCT_FIELDS, data)
    product.save()
    _revise(
        kind=DossierKind.PRODUCT,
        subject=product,
        clinic=clinic,
        actor=actor,
        names=PRODUCT_FIELDS,
        answers=answers,
        action="dossier.product_revised",
        name=product.name,
    )
    return product


@transaction.atomic
def lot_save(
    *,
    clinic,
    actor,
    data: dict[str, Any],
    answers: dict[str, Any],
    product: Product | None = None,
    lot: Lot | None = None,
) -> Lot:
    """Create a lot of ``product`` or change ``lot``, and write its revision."""
    if lot is None:
        if product is None or product.clinic_id != clinic.pk:
            raise ValueError("A new lot needs a product of the same clinic.")
        lot = Lot(clinic=clinic, product=product)
    _assign(lot, LOT_FIELDS, data)
    lot.save()
    _revise(
        kind=DossierKind.LOT,
        subject=lot,
        clinic=clinic,
        actor=actor,
        names=LOT_FIELDS,
        answers=answers,
        action="dossier.lot_revised",
        name=lot.lot_number,
    )
    return lot


@transaction.atomic
def clinic_profile_save(*, clinic, actor, data: dict[str, Any], answers: dict[str, Any]) -> ClinicProfile:
    """Create or change the clinic's profile and write its revision."""
    profile = ClinicProfile.objects.filter(clinic=clinic).first() or ClinicProfile(clinic=clinic)
    _assign(profile, PROFILE_FIELDS, data)
    profile.save()
    _revise(
        kind=DossierKind.CLINIC,
        subject=profile,
        clinic=clinic,
        actor=actor,
        names=PROFILE_FIELDS,
        answers=answers,
        action="dossier.clinic_revised",
        name="",
    )
    return profile


def document_upload(*, clinic, actor, title: str, upload, product: Product | None = None, lot: Lot | None = None):
    """Check an uploaded file by its content (dossiers.uploads) and keep it privately; a refused
    file is not stored and raises ``UploadRefused`` with the reason."""
    subject = product or lot
    if subject is None or subject.clinic_id != clinic.pk:
        raise ValueError("A document belongs to a product or lot of the same clinic.")
    upload.seek(0)
    try:
        checked = check_upload(upload, declared_size=upload.size, max_bytes=settings.DOSSIER_DOCUMENT_MAX_BYTES)
    except UploadRefused:
        audit_log(clinic=clinic, actor=actor, action="dossier.document_refused")
        raise
    upload.seek(0)
    with transaction.atomic():
        return _document_store(
            clinic=clinic, actor=actor, title=title, upload=upload, checked=checked, product=product, lot=lot
        )


def _document_store(*, clinic, actor, title, upload, checked, product, lot):
    document = DossierDocument(
        clinic=clinic,
        product=product,
        lot=lot,
        title=title,
        file_kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    document.file.save(f"{document.id}.{checked.kind}", ContentFile(upload.read()), save=False)
    document.save()
    audit_log(clinic=clinic, actor=actor, action="dossier.document_uploaded", name=title)
    return document


def _revisions_now(lot: Lot) -> dict[str, DossierRevision | None]:
    profile = ClinicProfile.objects.filter(clinic_id=lot.clinic_id).first()
    return {
        DossierKind.PRODUCT: latest_revision(lot.product),
        DossierKind.LOT: latest_revision(lot),
        DossierKind.CLINIC: latest_revision(profile),
    }


def _answers_of(screening: Screening, revisions: dict[str, DossierRevision | None]) -> dict[str, Any]:
    spec = checklist_spec(screening.version)
    given = {scope: (r.fields, r.answers) if r else None for scope, r in revisions.items()}
    return dossier_answers(spec, given, on=screening_day(screening))


@transaction.atomic
def screening_start_from_dossier(*, clinic, clinician, data: Mapping[str, Any], lot: Lot) -> Screening:
    """Start a screening with a product and lot of this clinic: the product's, lot's and clinic's
    questions are answered from their newest revisions (the screening points at them), and each
    section still waits for the clinician to confirm it for this patient."""
    if lot.clinic_id != clinic.pk:
        raise ValueError("A screening uses a lot of its own clinic.")
    product = lot.product
    data = {**data, "product_name": product.name, "product_maker": product.maker}
    screening = screening_start(clinic=clinic, clinician=clinician, data=data)
    revisions = _revisions_now(lot)
    product_revision, lot_revision = revisions[DossierKind.PRODUCT], revisions[DossierKind.LOT]
    if product_revision is None or lot_revision is None:
        raise ValueError("The product and the lot are saved (with a revision) before a screening uses them.")
    answers = _answers_of(screening, revisions)
    ScreeningDossier.objects.create(
        screening=screening,
        product=product,
        lot=lot,
        product_revision=product_revision,
        lot_revision=lot_revision,
        clinic_revision=revisions[DossierKind.CLINIC],
        dossier_answers=answers,
    )
    screening = screening_answers_prefill(screening=screening, values=answers, user=clinician)
    audit_log(
        clinic=clinic,
        actor=clinician,
        screening=screening,
        action="screening.dossier_used",
        name=str(lot),
        answers=len(answers),
    )
    return screening


@transaction.atomic
def screening_dossier_refresh(*, screening: Screening, user) -> Screening:
    """Take the newest revisions' answers into a draft. An answer changed for this patient stays as
    the clinician set it; each section whose dossier answers changed waits to be confirmed again."""
    use = ScreeningDossier.objects.select_for_update().select_related("lot__product").get(screening_id=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    revisions = _revisions_now(use.lot)
    answers = _answers_of(screening, revisions)
    spec = checklist_spec(screening.version)
    overridden = set(DossierOverride.objects.filter(screening=screening).values_list("question_code", flat=True))
    changed = {
        code
        for code in set(answers) | set(use.dossier_answers)
        if not same_answer(answers.get(code), use.dossier_answers.get(code))
    }
    applied = {code: answers.get(code) for code in changed if code not in overridden}
    use.product_revision = revisions[DossierKind.PRODUCT] or use.product_revision
    use.lot_revision = revisions[DossierKind.LOT] or use.lot_revision
    use.clinic_revision = revisions[DossierKind.CLINIC]
    use.dossier_answers = answers
    use.save()
    screening_dossier_forget(screening)
    sections = {spec.questions_by_code[code].section_code for code in changed if code in spec.questions_by_code}
    screening = screening_answers_prefill(screening=screening, values=applied, user=user, unconfirm_sections=sections)
    audit_log(
        clinic=screening.clinic,
        actor=user,
        screening=screening,
        action="screening.dossier_refreshed",
        answers=len(applied),
    )
    return screening


@transaction.atomic
def screening_section_save(
    *,
    screening: Screening,
    section_code: str,
    answers: Mapping[str, AnswerInput],
    override_notes: Mapping[str, str],
    user,
    expected_lock_version: int | None = None,
) -> tuple[Screening, Assessment]:
    """Save one section; for a screening made from a dossier this confirms its dossier answers for
    this patient, and an answer changed from the dossier's is kept as an override, with its
    required note (audited). Without a dossier, exactly ``screening_answers_save``."""
    use = ScreeningDossier.objects.filter(screening_id=screening.pk).first()
    if use is None:
        return screening_answers_save(
            screening=screening,
            section_code=section_code,
            answers=answers,
            user=user,
            expected_lock_version=expected_lock_version,
        )
    spec = checklist_spec(screening.version)
    section = spec.sections_by_code.get(section_code)
    in_section = [q for q in section.questions if q.code in use.dossier_answers] if section else []
    changes: dict[str, tuple[Any, str]] = {}
    errors: dict[str, list[str]] = {}
    answers = dict(answers)
    for question in in_section:
        if question.code not in answers:
            continue
        if answers[question.code].value in (None, "", []):
            # A dossier answer is changed, never cleared: an empty field keeps it.
            answers[question.code] = AnswerInput(use.dossier_answers[question.code], answers[question.code].note)
        try:
            value = question.clean_answer(answers[question.code].value)
        except ValidationError:
            continue  # screening_answers_save says what is wrong with it
        if same_answer(value, use.dossier_answers[question.code]):
            continue
        note = clean_free_text(override_notes.get(question.code, ""), max_length=NOTE_MAX_LENGTH)
        if not note:
            errors[question.code] = [str(_("Say why this answer is different for this patient."))]
        changes[question.code] = (value, note)
    if errors:
        raise ValidationError(errors)
    screening, assessment = screening_answers_save(
        screening=screening,
        section_code=section_code,
        answers=answers,
        user=user,
        expected_lock_version=expected_lock_version,
    )
    existing = {
        o.question_code: o
        for o in DossierOverride.objects.filter(screening=screening, question_code__in=[q.code for q in in_section])
    }
    for question in in_section:
        override = existing.get(question.code)
        if question.code not in changes:
            if override is not None and question.code in answers:
                override.delete()
            continue
        value, note = changes[question.code]
        if override is not None and same_answer(override.value, value) and override.note == note:
            continue
        override = override or DossierOverride(
            screening=screening, question_code=question.code, dossier_value=use.dossier_answers[question.code]
        )
        override.value, override.note, override.created_by = value, note, user
        override.save()
        audit_log(
            clinic=screening.clinic,
            actor=user,
            screening=screening,
            action="screening.dossier_overridden",
            question=question.code,
        )
    if in_section:
        audit_log(
            clinic=screening.clinic,
            actor=user,
            screening=screening,
            action="screening.dossier_confirmed",
            section=section_code,
            answers=len(in_section) - len(changes),
        )
    return screening, assessment
