"""Dossier fixtures: a product and a lot of clinic A with answers, and one of clinic B."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dossiers.services import clinic_profile_save, lot_save, product_save
from tests.conftest import make_member

PRODUCT_DATA = {
    "name": "CordVes 100",
    "maker": "Example Biologics",
    "distributor": "",
    "country_of_manufacture": "South Korea",
    "source_material": "Human umbilical cord cells",
    "label": "cosmetic",
    "regulatory_documents": "",
    "registry_link": "",
    "evidence": "",
    "storage_conditions": "-20 °C",
}


def lot_data(**overrides) -> dict:
    return {
        "lot_number": "L-2026-01",
        "expiry_date": timezone.localdate() + dt.timedelta(days=180),
        "has_certificate": True,
        "sterility_result": "Sterile (USP <71>)",
        "endotoxin_result": "< 0.5 EU/mL",
        "received_on": timezone.localdate() - dt.timedelta(days=10),
        "storage_log": "",
        **overrides,
    }


@pytest.fixture
def product_a(version_v2, clinic_a, carol):
    return product_save(
        clinic=clinic_a,
        actor=carol,
        data=PRODUCT_DATA,
        answers={"source_origin": "perinatal_msc", "product_label": "cosmetic"},
    )


@pytest.fixture
def lot_a(product_a, clinic_a, carol):
    return lot_save(
        clinic=clinic_a,
        actor=carol,
        product=product_a,
        data=lot_data(),
        answers={"lot_number": "L-2026-01", "sterility_certificate": "yes"},
    )


@pytest.fixture
def dave(clinic_b):
    """A clinic admin of clinic B."""
    from clinic.models import Membership

    return make_member(clinic_b, "dave", Membership.Role.ADMIN)


@pytest.fixture
def product_b(version_v2, clinic_b, dave):
    return product_save(clinic=clinic_b, actor=dave, data={**PRODUCT_DATA, "name": "Other clinic's"}, answers={})


@pytest.fixture
def lot_b(product_b, clinic_b, dave):
    return lot_save(clinic=clinic_b, actor=dave, product=product_b, data=lot_data(lot_number="B-1"), answers={})


@pytest.fixture
def profile_a(version_v2, clinic_a, carol):
    return clinic_profile_save(
        clinic=clinic_a,
        actor=carol,
        data={
            "setting": "licensed",
            "practitioners": "Dr Ana Lima, medical licence, MD-12345",
            "emergency_plan": "Adrenaline, oxygen, AED; staff trained in resuscitation.",
            "contact_line": "+1 555 0101 (9am-5pm)",
            "out_of_hours_advice": "Call 911 in an emergency.",
            "adverse_event_reporting": "We report to FDA MedWatch.",
        },
        answers={"practitioner_licensed": "yes", "emergency_plan": "yes"},
    )


def scope_answers(version, scope: str, profile: str = "clean", **overrides) -> dict:
    """The demo's answers to every question of ``scope``, as a dossier would give them."""
    from checklist.demo import demo_answers
    from checklist.selectors import checklist_spec

    spec = checklist_spec(version)
    answers = demo_answers(spec, profile)
    return {**{q.code: answers[q.code] for q in spec.questions if q.scope == scope}, **overrides}


@pytest.fixture
def full_dossier(version_v2, clinic_a, carol):
    """A product, a lot and the clinic profile answering every question of their scope (calmly)."""
    product = product_save(
        clinic=clinic_a,
        actor=carol,
        data={**PRODUCT_DATA, "name": "CordVes Full"},
        answers=scope_answers(version_v2, "product"),
    )
    lot = lot_save(
        clinic=clinic_a,
        actor=carol,
        product=product,
        data=lot_data(lot_number="F-1"),
        answers=scope_answers(version_v2, "lot", lot_number="F-1"),
    )
    clinic_profile_save(
        clinic=clinic_a,
        actor=carol,
        data={
            "setting": "licensed",
            "practitioners": "Dr Ana Lima, medical licence, MD-12345",
            "emergency_plan": "Adrenaline, oxygen, AED.",
            "contact_line": "+1 555 0101",
            "out_of_hours_advice": "",
            "adverse_event_reporting": "",
        },
        answers=scope_answers(version_v2, "clinic"),
    )
    return lot


def confirm_all_sections(screening, user, *, profile: str = "clean", changes=None, notes=None):
    """Confirm every step of a screening made from a dossier: the dossier's answers as they stand
    (or ``changes`` with ``notes``), the demo's answers to the patient's questions."""
    from checklist.demo import demo_answers
    from checklist.selectors import checklist_spec, screening_answers
    from checklist.services.screenings import AnswerInput
    from dossiers.services import screening_section_save

    spec = checklist_spec(screening.version)
    typed = demo_answers(spec, profile, screening.risk_context())
    for section in spec.sections:
        stored = screening_answers(screening)
        answers = {
            q.code: AnswerInput(
                (changes or {}).get(
                    q.code, stored.get(q.code, typed[q.code]) if q.scope != "patient" else typed[q.code]
                )
            )
            for q in section.questions
        }
        screening, _ = screening_section_save(
            screening=screening,
            section_code=section.code,
            answers=answers,
            override_notes=notes or {},
            user=user,
        )
    return screening
