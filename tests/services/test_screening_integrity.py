"""The models themselves refuse to change a signed screening, whatever code path tries."""

from __future__ import annotations

import pytest

from checklist.models import Answer, AuditEvent, Screening, ScreeningLocked


def test_answers_of_a_signed_screening_cannot_be_saved_or_deleted(risky_signed):
    answer = Answer.objects.filter(screening=risky_signed).first()
    answer.note = "tampered"
    with pytest.raises(ScreeningLocked):
        answer.save()
    with pytest.raises(ScreeningLocked):
        answer.delete()


def test_a_signed_screening_cannot_be_edited_only_voided(risky_signed):
    risky_signed.patient_name = "Someone else"
    with pytest.raises(ScreeningLocked):
        risky_signed.save()
    fresh = Screening.objects.get(pk=risky_signed.pk)
    fresh.findings_snapshot = {}
    with pytest.raises(ScreeningLocked):
        fresh.save()


def test_screenings_are_never_deleted(draft):
    with pytest.raises(ScreeningLocked):
        draft.delete()


def test_the_audit_log_is_append_only(risky_signed):
    event = AuditEvent.objects.filter(screening=risky_signed).first()
    event.action = "screening.nothing_happened"
    with pytest.raises(ScreeningLocked):
        event.save()
    with pytest.raises(ScreeningLocked):
        event.delete()


def test_history_records_who_changed_what(risky_signed, alice):
    records = Answer.history.filter(screening_id=risky_signed.pk)
    assert records.exists()
    assert Screening.history.filter(id=risky_signed.pk, status="signed").exists()
