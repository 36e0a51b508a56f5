"""The screening's page says the PDF is being prepared, and shows it once stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from checklist.demo import sign_screening
from checklist.models import SignedPdfRender
from checklist.services.signed_pdf import screening_pdf_store


def status_url(screening) -> str:
    return reverse("checklist:screening-pdf-status", args=[screening.pk])


@pytest.fixture
def pending(tasks_queued, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    return sign_screening(screening, alice)


def test_the_status_says_pending_then_ready(alice_client, pending):
    data = alice_client.get(status_url(pending)).json()
    assert data["state"] == "pending" and "being prepared" in data["message"] and "url" not in data
    screening_pdf_store(screening=pending)
    response = alice_client.get(status_url(pending))
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "state": "ready",
        "message": "The signed PDF is ready.",
        "reason": "",
        "url": reverse("checklist:screening-pdf", args=[pending.pk]),
    }


def test_the_status_says_what_failed_and_what_to_do(alice_client, pending):
    SignedPdfRender.objects.filter(screening=pending).update(
        status="failed", attempts=3, error="The server's disk is full."
    )
    data = alice_client.get(status_url(pending)).json()
    assert data["state"] == "failed" and data["reason"] == "The server's disk is full."
    assert f"screening_pdf_render {pending.reference}" in data["message"]
    assert "signature" in data["message"]


def test_a_render_pending_for_minutes_says_the_worker_may_be_down(alice_client, pending):
    SignedPdfRender.objects.filter(screening=pending).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    data = alice_client.get(status_url(pending)).json()
    assert data["state"] == "stalled" and "worker may not be running" in data["message"]


def test_the_status_of_another_clinic_is_404(bob_client, pending):
    assert bob_client.get(status_url(pending)).status_code == 404


def test_the_status_needs_a_signed_in_member(client, pending):
    response = client.get(status_url(pending))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_status_answers_get_only(alice_client, pending):
    assert alice_client.post(status_url(pending)).status_code == 405


def test_a_draft_has_no_pdf_status(alice_client, draft):
    assert alice_client.get(status_url(draft)).status_code == 404


def test_the_page_says_it_is_being_prepared_with_a_no_script_fallback(alice_client, pending):
    page = alice_client.get(reverse("checklist:screening-detail", args=[pending.pk])).content.decode()
    assert "The signed PDF is being prepared" in page
    assert "js/pdf_status.js" in page
    assert f'data-status-url="{status_url(pending)}"' in page
    assert "Check again" in page
    assert "<script>" not in page


@pytest.mark.renders_pdf
def test_the_page_offers_the_pdf_first_once_stored(alice_client, risky_signed):
    page = alice_client.get(reverse("checklist:screening-detail", args=[risky_signed.pk])).content.decode()
    pdf = reverse("checklist:screening-pdf", args=[risky_signed.pk])
    assert "being prepared" not in page and "js/pdf_status.js" not in page
    assert "js/pdf_print.js" in page
    opened = page.index(f'href="{pdf}">Open the PDF</a>')
    printed = page.index(f'href="{pdf}" data-pdf-print>Print</a>')
    assert opened < printed < page.index(f'href="{pdf}?download=1">Download a copy</a>')
    # Before the overview and the findings, not below them.
    assert printed < page.index("Findings at signing") and printed < page.index('id="overview-title"')


def test_while_it_is_prepared_the_pdf_buttons_wait_and_the_page_says_so(alice_client, pending):
    page = alice_client.get(reverse("checklist:screening-detail", args=[pending.pk])).content.decode()
    assert '<div class="d-flex flex-wrap gap-2 align-items-center" data-pdf-actions hidden>' in page
    assert page.index("The signed PDF is being prepared") < page.index("Findings at signing")


def test_downloading_before_the_pdf_is_stored_says_so(alice_client, pending):
    response = alice_client.get(reverse("checklist:screening-pdf", args=[pending.pk]))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "The signed PDF is not ready yet" in response.content.decode()
    screening_pdf_store(screening=pending)
    response = alice_client.get(reverse("checklist:screening-pdf", args=[pending.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
