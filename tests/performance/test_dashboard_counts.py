"""The dashboard's "to consent again" count reads the clinic's screenings under retired versions
only, off their own index: a clinic's many screenings under the published version cost nothing
(``make bench`` part 4 compares the dashboard at 100 and 100,000 screenings)."""

from __future__ import annotations

import pytest
from django.db import connection

from checklist.selectors import screenings_to_reconsent


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_reconsent_count_walks_the_version_index(clinic_a):
    queryset = screenings_to_reconsent(clinic_a)
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "screening_version_clinic" in plan, plan
