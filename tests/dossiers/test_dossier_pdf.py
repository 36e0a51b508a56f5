"""The signed PDF of a screening made from a dossier: the product's and lot's documents by name and
date, which answers came from the clinic's records, and the answer changed for this patient."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from checklist.demo import sign_screening
from checklist.pdf.render import stored_pdf_bytes
from dossiers.services import document_upload, screening_start_from_dossier
from tests.conftest import start_data
from tests.dossiers.conftest import confirm_all_sections
from tests.dossiers.test_uploads import small_pdf

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.renders_pdf


@pytest.fixture
def signed_from_dossier(full_dossier, clinic_a, alice, carol):
    for title, subject in (
        ("Certificate of analysis F-1", {"lot": full_dossier}),
        ("GMP letter", {"product": full_dossier.product}),
    ):
        document_upload(
            clinic=clinic_a, actor=carol, title=title, upload=SimpleUploadedFile("d.pdf", small_pdf()), **subject
        )
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    screening = confirm_all_sections(
        screening,
        alice,
        changes={"storage_cold_chain": "unsure"},
        notes={"storage_cold_chain": "Freezer alarm on the night before."},
    )
    return sign_screening(screening, alice)


def test_the_pdf_lists_the_documents_and_says_where_answers_came_from(signed_from_dossier):
    data = stored_pdf_bytes(signed_from_dossier)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    assert "Answers from the clinic's records" in flat
    assert "Certificate of analysis F-1" in flat and "GMP letter" in flat
    assert "CordVes Full" in flat and "Lot F-1" in flat
    assert "from the clinic's records" in flat
    assert "Answers changed for you" in flat and "Freezer alarm on the night before." in flat
    if out := os.environ.get("EXOSAFE_PDF_OUT"):
        Path(out).write_bytes(data)
