"""Downloading a screening's PDF: the stored bytes when signed, a marked preview when not."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from checklist.models import AuditEvent
from checklist.services.screenings import screening_void


def url_for(screening) -> str:
    return reverse("checklist:screening-pdf", args=[screening.pk])


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def signed(make_screening, clinic_a, alice):
    return make_screening(clinic_a, alice, answers="clean", signed=True)


def stored(screening) -> bytes:
    with screening.pdf.open("rb") as fh:
        return fh.read()


def test_it_sends_anonymous_users_to_sign_in(client, signed):
    response = client.get(url_for(signed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_returns_404_for_another_clinic(bob_client, signed):
    assert bob_client.get(url_for(signed)).status_code == 404


def test_it_returns_404_for_an_unknown_screening(alice_client):
    assert alice_client.get(reverse("checklist:screening-pdf", args=[uuid.uuid4()])).status_code == 404


def test_it_refuses_other_methods(alice_client, signed):
    assert alice_client.post(url_for(signed)).status_code == 405
    assert alice_client.delete(url_for(signed)).status_code == 405


@pytest.mark.renders_pdf
def test_it_shows_the_stored_bytes_in_the_browser_every_time(alice_client, signed):
    first = alice_client.get(url_for(signed))
    second = alice_client.get(url_for(signed))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'inline; filename="exosafe-{signed.reference}.pdf"'
    assert "no-store" in first["Cache-Control"]
    assert first.content == second.content == stored(signed)
    assert hashlib.sha256(first.content).hexdigest() == signed.pdf_sha256


@pytest.mark.renders_pdf
def test_it_saves_the_same_bytes_as_a_file_when_asked(alice_client, signed):
    response = alice_client.get(url_for(signed), {"download": "1"})
    assert response["Content-Disposition"] == f'attachment; filename="exosafe-{signed.reference}.pdf"'
    assert response.content == stored(signed)


def test_only_the_clinics_own_pages_may_frame_it_to_print(alice_client, signed):
    response = alice_client.get(url_for(signed))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    page = alice_client.get(reverse("checklist:screening-detail", args=[signed.pk]))
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]


@pytest.mark.renders_pdf
def test_it_logs_each_view_and_each_download(alice_client, alice, signed):
    alice_client.get(url_for(signed))
    alice_client.get(url_for(signed))
    alice_client.get(url_for(signed), {"download": "1"})
    viewed = AuditEvent.objects.filter(screening=signed, action="screening.pdf_viewed")
    downloaded = AuditEvent.objects.filter(screening=signed, action="screening.pdf_downloaded")
    assert viewed.count() == 2 and downloaded.count() == 1
    assert {e.actor for e in [*viewed, *downloaded]} == {alice}
    assert all(e.detail == {"status": "signed"} for e in [*viewed, *downloaded])


@pytest.mark.renders_pdf
def test_a_head_request_is_not_logged(alice_client, signed):
    assert alice_client.head(url_for(signed)).status_code == 200
    pdf_actions = ["screening.pdf_viewed", "screening.pdf_downloaded"]
    logged = AuditEvent.objects.filter(screening=signed, action__in=pdf_actions)
    assert not logged.exists()


@pytest.mark.renders_pdf
def test_a_voided_screening_serves_a_copy_stamped_void_on_every_page(alice_client, alice, signed):
    original = stored(signed)
    screening_void(screening=signed, user=alice, reason="Wrong product recorded")
    response = alice_client.get(url_for(signed))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="exosafe-{signed.reference}-VOID.pdf"')
    stamped, issued = pdf_text(response.content), pdf_text(original)
    assert len(stamped) == len(issued)
    assert all("VOID: this record was voided on" in page for page in stamped)
    assert not any("VOID" in page for page in issued)
    first = " ".join(stamped[0].split())
    assert "Wrong product recorded" in first and "Alice Tester" in first
    assert not any("Wrong product recorded" in page for page in stamped[1:])
    # What the record says is still there, under the stamp: the patient's name on page one.
    assert signed.patient_name in first
    # The stored document is untouched and still passes its integrity check.
    signed.refresh_from_db()
    assert stored(signed) == original
    assert hashlib.sha256(original).hexdigest() == signed.pdf_sha256


@pytest.mark.renders_pdf
def test_a_voided_documents_pages_keep_their_size(alice_client, alice, signed):
    original = PdfReader(io.BytesIO(stored(signed)))
    screening_void(screening=signed, user=alice, reason="Duplicate")
    stamped = PdfReader(io.BytesIO(alice_client.get(url_for(signed)).content))
    assert [tuple(p.mediabox) for p in stamped.pages] == [tuple(p.mediabox) for p in original.pages]
    assert stamped.metadata.title.startswith("VOID: ")


def test_a_draft_gets_a_preview_marked_draft_on_every_page(alice_client, make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice)
    response = alice_client.get(url_for(draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="exosafe-{draft.reference}-DRAFT.pdf"'
    assert all("DRAFT — not signed" in page for page in pdf_text(response.content))
    draft.refresh_from_db()
    assert not draft.pdf and not draft.pdf_sha256
    assert not AuditEvent.objects.filter(screening=draft, action="screening.pdf_downloaded").exists()


@pytest.mark.renders_pdf
def test_it_refuses_to_serve_a_stored_file_that_was_changed(alice_client, signed):
    with open(signed.pdf.path, "r+b") as fh:
        fh.seek(200)
        byte = fh.read(1)
        fh.seek(200)
        fh.write(bytes([byte[0] ^ 0xFF]))
    response = alice_client.get(url_for(signed))
    assert response.status_code == 500
    assert b"%PDF" not in response.content
    assert AuditEvent.objects.filter(screening=signed, action="screening.pdf_integrity_failed").exists()
