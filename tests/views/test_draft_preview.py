"""A draft's PDF preview renders in the request, but never writes or takes the write lock.

On SQLite (transaction_mode IMMEDIATE) any transaction takes the database's one write lock, so a
second-long preview inside one would stall every other clinician.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from checklist.views.documents import screening_pdf


def test_the_preview_opens_no_transaction_and_only_reads(make_screening, clinic_a, alice, monkeypatch):
    draft = make_screening(clinic_a, alice, answers="risky")
    request = RequestFactory().get(f"/screenings/{draft.pk}/pdf/")
    request.user = alice

    def no_transaction(self):
        pytest.fail("the draft preview opened a transaction")

    monkeypatch.setattr(transaction.Atomic, "__enter__", no_transaction)
    with CaptureQueriesContext(connection) as queries:
        response = screening_pdf(request, draft.pk)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in queries]
    assert statements and set(statements) == {"SELECT"}, statements
