"""A signed risky screening's PDF, rendered once and shared by the tests that only read it.

Rendering the long risky document takes a couple of seconds; a dozen read-only tests need not
each sign a screening of their own. The screening itself is rolled back with the first test,
so the shared document carries the facts the tests compare against, not the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from checklist.records import ScreeningRecord

_cache: dict[str, SignedDocument] = {}


@dataclass(frozen=True)
class SignedDocument:
    pdf: bytes
    snapshot: dict[str, Any]
    record: ScreeningRecord
    reference: str
    patient_name: str
    patient_signed_name: str
    clinic_name: str
    adverse_event_contact: str
    verification_code: str
    pdf_sha256: str


@pytest.fixture
def risky_document(make_screening, clinic_a, alice) -> SignedDocument:
    if "risky" not in _cache:
        screening = make_screening(clinic_a, alice, answers="risky", signed=True)
        with screening.pdf.open("rb") as fh:
            data = fh.read()
        _cache["risky"] = SignedDocument(
            pdf=data,
            snapshot=screening.findings_snapshot,
            record=ScreeningRecord.from_json(screening.findings_snapshot),
            reference=screening.reference,
            patient_name=screening.patient_name,
            patient_signed_name=screening.patient_signed_name,
            clinic_name=screening.clinic.name,
            adverse_event_contact=screening.clinic.adverse_event_contact,
            verification_code=screening.verification_code,
            pdf_sha256=screening.pdf_sha256,
        )
    return _cache["risky"]
