"""A signed screening's red-flag resolutions freeze with it: the QuerySet refuses bulk writes, and
the database's triggers (checklist/immutability.py) refuse plain SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from checklist.demo import sign_screening
from checklist.models import FlagResolution, ScreeningLocked
from checklist.selectors import screening_assessment
from checklist.services.red_flags import ResolutionInput, screening_flags_resolve


def sql(statement: str, params: list) -> None:
    stored = [models.UUIDField().get_db_prep_value(p, connection) if isinstance(p, uuid.UUID) else p for p in params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, stored)


def test_plain_sql_cannot_change_the_resolutions_of_a_signed_screening(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    codes = [f.code for f in screening_assessment(screening)[1].red_flags]
    screening_flags_resolve(screening=screening, resolutions={codes[0]: ResolutionInput("accepted")}, user=alice)
    sql("UPDATE checklist_flagresolution SET note = 'editable' WHERE screening_id = %s", [screening.pk])
    sign_screening(screening, alice)
    with pytest.raises(DatabaseError, match="cannot change"):
        sql("UPDATE checklist_flagresolution SET outcome = 'resolved' WHERE screening_id = %s", [screening.pk])
    with pytest.raises(DatabaseError, match="cannot change"):
        sql("DELETE FROM checklist_flagresolution WHERE screening_id = %s", [screening.pk])
    with pytest.raises(DatabaseError, match="cannot change"):
        sql(
            "INSERT INTO checklist_flagresolution (screening_id, finding_code, outcome, note, resolved_by_id, "
            "updated_at) VALUES (%s, %s, 'accepted', '', %s, %s)",
            [screening.pk, codes[1], alice.pk, timezone.now()],
        )


def test_the_queryset_refuses_to_change_the_resolutions_of_a_signed_screening(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    code = next(f.code for f in screening_assessment(screening)[1].red_flags)
    screening_flags_resolve(screening=screening, resolutions={code: ResolutionInput("accepted")}, user=alice)
    sign_screening(screening, alice)
    rows = FlagResolution.objects.filter(screening=screening)

    with pytest.raises(ScreeningLocked, match="flag resolutions of signed"):
        rows.update(note="changed")
    with pytest.raises(ScreeningLocked, match="flag resolutions of signed"):
        rows.delete()
    assert list(rows.values_list("note", flat=True)) == [""]
