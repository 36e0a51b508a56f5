"""On PostgreSQL, a signed screening's red-flag resolutions are frozen by a trigger too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from checklist.demo import sign_screening
from checklist.selectors import screening_assessment
from checklist.services.red_flags import ResolutionInput, screening_flags_resolve

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers exist on PostgreSQL only (.ci/run runs them there)"
)


def sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


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
            "updated_at) VALUES (%s, %s, 'accepted', '', %s, now())",
            [screening.pk, codes[1], alice.pk],
        )
