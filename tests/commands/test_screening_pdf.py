"""``manage.py screening_pdf REFERENCE -o FILE``: the stored document for support staff."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from checklist.models import AuditEvent


def run(*args) -> str:
    out = io.StringIO()
    call_command("screening_pdf", *args, stdout=out)
    return out.getvalue()


@pytest.mark.renders_pdf
def test_it_writes_the_stored_bytes_of_a_signed_screening(make_screening, clinic_a, alice, tmp_path):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    target = tmp_path / "out.pdf"
    message = run(signed.reference.lower(), "-o", str(target))
    with signed.pdf.open("rb") as fh:
        assert target.read_bytes() == fh.read()
    assert signed.pdf_sha256 in message
    assert AuditEvent.objects.filter(screening=signed, action="screening.pdf_exported").count() == 1


def test_it_writes_a_marked_preview_of_a_draft(make_screening, clinic_a, alice, tmp_path):
    draft = make_screening(clinic_a, alice)
    target = tmp_path / "draft.pdf"
    message = run(draft.reference, "--output", str(target))
    pages = PdfReader(target).pages
    assert all("DRAFT — not signed" in page.extract_text() for page in pages)
    assert "DRAFT preview" in message
    draft.refresh_from_db()
    assert not draft.pdf


def test_it_refuses_an_unknown_reference(db, tmp_path):
    with pytest.raises(CommandError, match="No screening has the reference EXO-0000-0000"):
        run("EXO-0000-0000", "-o", str(tmp_path / "x.pdf"))


def test_it_does_not_overwrite_without_force(make_screening, clinic_a, alice, tmp_path):
    draft = make_screening(clinic_a, alice)
    target = tmp_path / "exists.pdf"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        run(draft.reference, "-o", str(target))
    assert target.read_bytes() == b"keep me"
    run(draft.reference, "-o", str(target), "--force")
    assert target.read_bytes().startswith(b"%PDF-")


def test_it_requires_an_output_file(db):
    with pytest.raises(CommandError):
        call_command("screening_pdf", "EXO-0000-0000")
