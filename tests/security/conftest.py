"""Fixtures the hostile-input tests opt into (none is autouse, so the other security tests keep
the real PDF renderer). Every test hashes passwords with MD5 unless marked
``real_password_hasher`` (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def stub_pdf(monkeypatch):
    """Signing renders a PDF; these tests are about what reaches the database, not the
    document, so a tiny fixed PDF stands in for WeasyPrint."""
    from checklist.pdf import render as pdf_render
    from checklist.services import signed_pdf

    def render(screening, **_kwargs):
        return b"%PDF-1.7\n% stand-in for " + screening.reference.encode() + b"\n%%EOF\n"

    monkeypatch.setattr(signed_pdf, "render_screening_pdf", render)  # the signed PDF
    monkeypatch.setattr(pdf_render, "render_screening_pdf", render)  # draft previews
