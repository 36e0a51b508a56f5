"""Demo dossiers for ``seed_demo``: two products (one well documented, one with gaps), three lots
(one expired), the clinic's profile, and two screenings made from them (a draft waiting for its
steps to be confirmed, and a signed one)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from checklist.demo import CLEAN_ANSWERS, demo_answers, sign_screening
from checklist.models import Screening
from checklist.selectors import checklist_spec, checklist_version_published, screening_answers
from checklist.services.screenings import AnswerInput
from checklist.vocabulary import Scope
from dossiers.models import Lot
from dossiers.services import (
    clinic_profile_save,
    document_upload,
    lot_save,
    product_save,
    screening_section_save,
    screening_start_from_dossier,
)


def _blank_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("document.pdf", out.getvalue(), content_type="application/pdf")


def _answers(spec, scope: str, **changes: Any) -> dict[str, Any]:
    calm = demo_answers(spec, CLEAN_ANSWERS)
    return {**{q.code: calm[q.code] for q in spec.questions if q.scope == scope}, **changes}


def seed_dossiers(*, clinic, admin, clinician, base: dict[str, Any]) -> int:
    """The demo clinic's dossiers and the screenings made from them; returns how many screenings.
    Under a checklist that scopes no question (v1) the dossiers answer nothing yet, and the two
    screenings ask every question, as the full flow does."""
    version = checklist_version_published()
    if version is None:  # seed_demo refuses to run before a checklist is published
        raise ValueError("No checklist is published.")
    spec = checklist_spec(version)
    today = timezone.localdate()
    clinic_profile_save(
        clinic=clinic,
        actor=admin,
        data={
            "setting": "licensed",
            "practitioners": "Dr Maya Chen, medical licence NH-MD-20418\nNurse Tom Ruiz, RN licence NH-RN-77310",
            "emergency_plan": "Adrenaline auto-injectors, oxygen and an AED in treatment room 2; staff trained "
            "in anaphylaxis management every six months.",
            "contact_line": "Nurse line +1 603 555 0143 (Mon-Fri 8am-6pm)",
            "out_of_hours_advice": "Out of hours, call 911 or go to the nearest emergency department.",
            "adverse_event_reporting": "We report side effects to the maker and to FDA MedWatch within 15 days.",
        },
        answers=_answers(spec, Scope.CLINIC),
    )
    documented = product_save(
        clinic=clinic,
        actor=admin,
        data={
            "name": "VesiCord Regen",
            "maker": "Northfield Biologics",
            "distributor": "ClinicSupply US",
            "country_of_manufacture": "United States",
            "source_material": "Human umbilical cord mesenchymal stromal cells, screened donors",
            "label": "cosmetic",
            "regulatory_documents": "Not approved by the FDA; maker's letter on regulatory status on file.",
            "registry_link": "",
            "evidence": "Two small human studies on skin texture; no randomised trial.",
            "storage_conditions": "-80 °C, one thaw only",
        },
        answers=_answers(spec, Scope.PRODUCT, source_origin="perinatal_msc", product_label="cosmetic"),
    )
    gaps = product_save(
        clinic=clinic,
        actor=admin,
        data={
            "name": "GlowExo Serum",
            "maker": "Lumina Cosmeceuticals",
            "country_of_manufacture": "",
            "source_material": "",
            "label": "cosmetic",
            "storage_conditions": "",
        },
        answers={"source_origin": "unknown", "marketing_claims": ["instant_results"]},
    )
    in_date = lot_save(
        clinic=clinic,
        actor=admin,
        product=documented,
        data={
            "lot_number": "VC-2611-044",
            "expiry_date": today + dt.timedelta(days=240),
            "has_certificate": True,
            "sterility_result": "Sterile (USP <71>), 14 days",
            "endotoxin_result": "< 0.25 EU/mL",
            "received_on": today - dt.timedelta(days=12),
            "storage_log": "Kept at -80 °C since delivery; no excursion.",
        },
        answers=_answers(spec, Scope.LOT, lot_number="VC-2611-044"),
    )
    lot_save(
        clinic=clinic,
        actor=admin,
        product=documented,
        data={
            "lot_number": "VC-2503-007",
            "expiry_date": today - dt.timedelta(days=20),
            "has_certificate": True,
            "sterility_result": "Sterile (USP <71>)",
            "endotoxin_result": "< 0.25 EU/mL",
            "received_on": today - dt.timedelta(days=300),
        },
        answers=_answers(spec, Scope.LOT, lot_number="VC-2503-007"),
    )
    lot_save(
        clinic=clinic,
        actor=admin,
        product=gaps,
        data={"lot_number": "GX-118", "expiry_date": today + dt.timedelta(days=90), "has_certificate": False},
        answers={},
    )
    for title, subject in (
        ("Certificate of analysis VC-2611-044", {"lot": in_date}),
        ("Maker's regulatory status letter", {"product": documented}),
        ("Characterisation report (particle size, CD9/CD63/CD81)", {"product": documented}),
    ):
        document_upload(clinic=clinic, actor=admin, title=title, upload=_blank_pdf(), **subject)
    return _screenings(clinic=clinic, clinician=clinician, lot=in_date, base=base)


def _screenings(*, clinic, clinician, lot: Lot, base: dict[str, Any]) -> int:
    """A draft just started from the in-date lot, and one confirmed step by step and signed."""
    common = {**base, "intended_use": "skin", "route": "topical", "product_name": "", "product_maker": ""}
    screening_start_from_dossier(
        clinic=clinic,
        clinician=clinician,
        lot=lot,
        data={
            **common,
            "patient_name": "Robin Hale",
            "patient_dob": dt.date(1988, 9, 2),
            "patient_reference": "HS-10511",
        },
    )
    signed = screening_start_from_dossier(
        clinic=clinic,
        clinician=clinician,
        lot=lot,
        data={
            **common,
            "patient_name": "Casey Moreno",
            "patient_dob": dt.date(1975, 1, 23),
            "patient_reference": "HS-10512",
        },
    )
    spec = checklist_spec(signed.version)
    typed = demo_answers(spec, CLEAN_ANSWERS, signed.risk_context())
    for section in spec.sections:
        stored = screening_answers(signed)
        signed, _ = screening_section_save(
            screening=signed,
            section_code=section.code,
            answers={
                q.code: AnswerInput(stored[q.code] if q.scope != Scope.PATIENT and q.code in stored else typed[q.code])
                for q in section.questions
            },
            override_notes={},
            user=clinician,
        )
    sign_screening(Screening.objects.get(pk=signed.pk), clinician)
    return 2
