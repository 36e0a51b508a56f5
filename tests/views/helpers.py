"""Helpers to build the POST data a browser would send for a step or the consent."""

from __future__ import annotations

from checklist.demo import demo_answers, demo_signature_png
from checklist.forms import answer_field_name, note_field_name
from checklist.models import Jurisdiction
from checklist.selectors import checklist_spec
from checklist.signatures import signature_data_url


def step_post(screening, section_code: str, profile: str = "clean", **overrides) -> dict:
    spec = checklist_spec(screening.version)
    answers = demo_answers(spec, profile)
    data: dict = {"lock_version": screening.lock_version, "save_continue": "1"}
    for question in spec.sections_by_code[section_code].questions:
        data[answer_field_name(question.code)] = answers[question.code]
        data[note_field_name(question.code)] = ""
    data.update(overrides)
    return data


def consent_post(screening, password: str, **overrides) -> dict:
    spec = checklist_spec(screening.version)
    data = {
        "acknowledgements": [a.code for a in spec.acknowledgements],
        "decision": "wait",
        "signer": "patient",
        "patient_signed_name": screening.patient_name,
        "signature": signature_data_url(demo_signature_png()),
        "clinician_attestation": "on",
        "clinician_password": password,
    }
    data.update(overrides)
    return data


def start_post(**overrides) -> dict:
    """What the "Start a screening" form sends, valid unless overridden."""
    data = {
        "patient_name": "Robin Example",
        "patient_dob": "1975-04-03",
        "patient_reference": "MRN-7",
        "patient_language": "English",
        "product_name": "Serum X",
        "product_maker": "Maker Y",
        "intended_use": "skin",
        "intended_use_other": "",
        "route": "topical",
        "route_other": "",
        "planned_date": "",
        "jurisdiction": Jurisdiction.objects.get(code="US").pk,
    }
    data.update(overrides)
    return data


def new_member(**overrides) -> dict:
    """What the clinic admin's "Add a staff member" form sends, valid unless overridden."""
    data = {
        "username": "newnurse",
        "first_name": "New",
        "last_name": "Nurse",
        "email": "",
        "role": "clinician",
        "password": "a-long-unusual-passphrase-42",
    }
    data.update(overrides)
    return data
