"""A screening's history, as its clinic admin reads it: plain words and full names, with the
bookkeeping fields (lock counter, flag counts, saved steps) left out."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from checklist.demo import sign_screening
from checklist.history import screening_history
from checklist.services.screenings import screening_details_update, screening_void
from tests.conftest import start_data

BOOKKEEPING = ("lock_version", "caution_count", "red_flag_count", "saved_sections", "updated_at", "pdf_sha256")


def history_text(client, screening) -> str:
    html = client.get(reverse("checklist:screening-detail", args=[screening.pk])).content.decode()
    section = html.split('id="history-title"', 1)[1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", section)).split())


@pytest.mark.renders_pdf
def test_it_tells_each_step_in_plain_words_with_full_names(carol_client, make_screening, clinic_a, alice, carol):
    screening = make_screening(clinic_a, alice, answers="clean", patient_name="Robin Exmaple")
    screening = screening_details_update(screening=screening, user=alice, data=start_data(patient_name="Robin Example"))
    signed = sign_screening(screening, alice)
    screening_void(screening=signed, user=carol, reason="Wrong patient")
    text = history_text(carol_client, screening)
    assert "Alice Tester Started the screening." in text
    assert "Alice Tester Changed: patient's full name." in text
    assert "Status changed from Draft to Awaiting signature." in text
    assert "Alice Tester Signed the consent with the patient. The patient's decision: wants to wait." in text
    assert "Carol Tester Voided the signed screening." in text
    assert "Status changed from Signed to Voided." not in text  # the voiding event says it
    assert "ExoSafe (automatically) Stored the signed PDF" in text
    assert "Alice Tester Answered “" in text
    for hidden in (*BOOKKEEPING, "Record changed", "alice "):
        assert hidden not in text, hidden
    assert not re.search(r"\b(screening|staff)\.[a-z_]+", text)  # no event codes


def test_saving_answers_alone_adds_no_row_about_the_record(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    entries = screening_history(screening)
    record_rows = [e.what for e in entries if not e.what.startswith(("Answered", "Changed the answer", "Started"))]
    # Only the one status change the answers caused (draft to awaiting signature), never a counter.
    assert record_rows == ["Status changed from Draft to Awaiting signature."]
