"""A screening signed under v2: the PDF's text (pdftotext) carries v2's corrected wording."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from checklist.pdf import stored_pdf_bytes

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")


pytestmark = pytest.mark.renders_pdf


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", done.stdout.decode())


def test_a_v2_pdf_shows_the_corrected_wording(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(
        clinic_a, alice, answers="risky", signed=True, planned_date=dt.date(2026, 12, 15), route="injection_skin"
    )
    assert screening.version == version_v2
    text = pdf_text(stored_pdf_bytes(screening))
    assert "not a cure for cancer or for any other disease" in text
    assert "Do not delay or stop a proven treatment" in text
    assert "As far as we knew on 2 December 2026" in text
    assert "free of germs" not in text


def test_a_v2_pdf_uses_neutral_names_and_cites_why_it_matters(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(
        clinic_a,
        alice,
        answers="risky",
        signed=True,
        planned_date=dt.date(2026, 12, 15),
        route="microneedling",
        intended_use="wound",
    )
    text = pdf_text(stored_pdf_bytes(screening))
    # The patient's pages, before the reference list (a source's own title is quoted as it is).
    pages = text.split("References")[0].lower()
    assert "it is for wound care" in pages and "wound healing" not in pages and "rejuvenation" not in pages
    assert "passed a sterility (germ) test" in text
    # "Why it matters" carries numbered marks that the reference list at the end explains.
    marks = re.findall(r"Why it matters\. [^\[]+?\[([\d, ]+)\]", text)
    assert marks, "no citation after 'Why it matters'"
    listed = {int(n) for n in re.findall(r"\[(\d+)\] [A-Z]", text.split("References")[-1])}
    assert {int(n) for mark in marks for n in mark.split(", ")} <= listed
    # The storage study is cited for what it measured, and microneedling is asked once.
    assert "two days in a fridge" in text
    assert "You will have microneedling too" in text
