"""Changing the audit trail below the app, as an attacker with the database would: raw SQL with
every protection of the app and the database turned off."""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import connection

from checklist.immutability import protections_suspended


@contextmanager
def protections_off():
    """Every trigger that freezes signed records and the audit log off for the block, as the
    tables' owner (the test suite's role) would switch them off: ``ALTER TABLE ... DISABLE
    TRIGGER`` on PostgreSQL, dropped and created again on SQLite."""
    with protections_suspended(connection):
        yield


def raw(sql: str, params: list | tuple = ()) -> None:
    with protections_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def raw_insert_event(*, clinic_id, screening_id, action, at, detail, previous_sha256, sha256) -> None:
    raw(
        "INSERT INTO checklist_auditevent"
        " (clinic_id, screening_id, actor_id, action, at, detail, previous_sha256, sha256)"
        " VALUES (%s, %s, NULL, %s, %s, %s, %s, %s)",
        [clinic_id, screening_id, action, at, json.dumps(detail), previous_sha256, sha256],
    )
