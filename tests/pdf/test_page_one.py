"""The demo screenings' PDFs: page 1 holds what matters, and the documents stay short (issue 14).

Targets: the risky demo at most 6 pages, the clean one at most 4; page 1 holds the key information,
the decision, the red flags with what was decided, and "Who to call".
"""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from pypdf import PdfReader

from checklist.models import Screening
from checklist.pdf import stored_pdf_bytes


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_of(screening: Screening) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf_bytes(screening))).pages]


def test_the_demo_documents_are_short_and_page_one_holds_what_matters(db):
    call_command("seed_demo", stdout=io.StringIO())
    risky = Screening.objects.get(patient_name="Jordan Avery")
    clean = Screening.objects.get(patient_name="Maria Lopez")
    going_ahead = Screening.objects.get(patient_name="Alex Morgan")
    assert len(pages_of(risky)) <= 6
    assert len(pages_of(clean)) <= 4
    assert len(pages_of(going_ahead)) <= 6
    for screening in (risky, clean, going_ahead):
        page_one = squash(pages_of(screening)[0])
        for label in ("Key information", "What is offered", "Approval", "Main concerns", "Other choices"):
            assert squash(label) in page_one, (screening.patient_name, label)
        assert squash(f"Your decision: {screening.get_decision_display()}") in page_one
        assert squash("Who to call") in page_one
        assert squash(screening.clinic.adverse_event_contact) in page_one
        assert "MedWatch" in page_one and squash("1-800-332-1088") in page_one

    page_one = squash(pages_of(going_ahead)[0])
    assert squash("Resolved: the clinician saw the evidence.") in page_one
    assert squash("Discussed: you accept this risk, and you ticked it when you signed.") in page_one
    assert squash("Co-signed by a second clinician, Sam Okafor") in page_one
    everything = squash(" ".join(pages_of(going_ahead)))
    assert squash("Second clinician's co-signature") in everything
    assert squash("What this co-signature means") in everything
    assert squash("I accept this risk:") in everything

    risky_one = squash(pages_of(risky)[0])
    assert squash("No resolution was recorded before signing.") in risky_one


def test_every_signature_prints_name_date_and_meaning(db):
    call_command("seed_demo", stdout=io.StringIO())
    going_ahead = Screening.objects.get(patient_name="Alex Morgan")
    text = " ".join(pages_of(going_ahead))
    meanings = re.findall(r"What this (?:signature|attestation|co-signature) means", text)
    assert len(meanings) == 3
    assert text.count("Date and time") >= 3
    for name in ("Alex Morgan", "Dana Reyes", "Sam Okafor"):
        assert name in text
