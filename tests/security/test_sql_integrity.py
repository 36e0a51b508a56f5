"""On PostgreSQL, signed records are protected by triggers too: plain SQL cannot change them.

These run in .ci/run's PostgreSQL pass; SQLite has no such triggers (the models still refuse).
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from checklist.models import Screening

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers exist on PostgreSQL only (.ci/run runs them there)"
)


def sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_plain_sql_cannot_change_a_signed_answer(risky_signed):
    with pytest.raises(DatabaseError, match="cannot change"):
        sql("UPDATE checklist_answer SET note = 'tampered' WHERE screening_id = %s", [risky_signed.pk])
    with pytest.raises(DatabaseError, match="cannot change"):
        sql("DELETE FROM checklist_answer WHERE screening_id = %s", [risky_signed.pk])


def test_plain_sql_cannot_change_a_signed_screening(risky_signed):
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET patient_name = 'Someone else' WHERE id = %s", [risky_signed.pk])
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET pdf_sha256 = repeat('0', 64) WHERE id = %s", [risky_signed.pk])
    with pytest.raises(DatabaseError):
        sql("DELETE FROM checklist_screening WHERE id = %s", [risky_signed.pk])


def test_voiding_is_the_one_change_allowed(risky_signed):
    sql(
        "UPDATE checklist_screening SET status = 'voided', void_reason = 'wrong patient', voided_at = now() "
        "WHERE id = %s",
        [risky_signed.pk],
    )
    assert Screening.objects.get(pk=risky_signed.pk).status == "voided"
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET void_reason = 'changed my mind' WHERE id = %s", [risky_signed.pk])


def test_storing_the_pdf_once_is_allowed_and_never_again(tasks_queued, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    assert not screening.pdf_sha256
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET pdf = 'x.pdf', patient_name = 'Other' WHERE id = %s", [screening.pk])
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET pdf = 'x.pdf' WHERE id = %s", [screening.pk])
    sql("UPDATE checklist_screening SET pdf = 'x.pdf', pdf_sha256 = repeat('a', 64) WHERE id = %s", [screening.pk])
    assert Screening.objects.get(pk=screening.pk).pdf_sha256 == "a" * 64
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET pdf = 'y.pdf', pdf_sha256 = repeat('b', 64) WHERE id = %s", [screening.pk])
    with pytest.raises(DatabaseError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET pdf = '', pdf_sha256 = '' WHERE id = %s", [screening.pk])


def test_a_draft_stays_editable(draft):
    sql("UPDATE checklist_screening SET patient_name = 'Corrected Name' WHERE id = %s", [draft.pk])
    assert Screening.objects.get(pk=draft.pk).patient_name == "Corrected Name"


def test_the_audit_log_cannot_be_rewritten(risky_signed):
    with pytest.raises(DatabaseError):
        sql("UPDATE checklist_auditevent SET action = 'nothing' WHERE screening_id = %s", [risky_signed.pk])
    with pytest.raises(DatabaseError):
        sql("DELETE FROM checklist_auditevent WHERE screening_id = %s", [risky_signed.pk])
