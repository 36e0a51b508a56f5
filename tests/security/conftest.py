"""Fixtures the hostile-input tests opt into (none is autouse, so the other security tests keep
the production password hasher and the real PDF renderer)."""

from __future__ import annotations

import pytest


@pytest.fixture
def fast_passwords(settings):
    """MD5 hashing: these tests check a password on almost every request, and PBKDF2's
    deliberate slowness would make a few hundred examples take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stub_pdf(monkeypatch):
    """Signing renders a PDF; these tests are about what reaches the database, not the
    document, so a tiny fixed PDF stands in for WeasyPrint."""
    import checklist.pdf

    def render(screening, **_kwargs):
        return b"%PDF-1.7\n% stand-in for " + screening.reference.encode() + b"\n%%EOF\n"

    monkeypatch.setattr(checklist.pdf, "render_screening_pdf", render)
