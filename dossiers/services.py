"""Writes to dossiers. Every save of a product, lot or clinic profile that changes something writes
a new revision (who, when, the fields and the answers), so a screening can point at the exact
state it used and a later change never rewrites it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model

from checklist.audit import audit_log
from checklist.selectors import checklist_version_published
from dossiers.models import ClinicProfile, DossierDocument, DossierKind, DossierRevision, Lot, Product
from dossiers.selectors import latest_revision, scope_questions
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
