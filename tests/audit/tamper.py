"""Changing the audit trail below the app, as an attacker with the database would: raw SQL with
every protection of the app and the database turned off."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pgtrigger
from django.db import connection


@contextmanager
def protections_off(*tables: str):
    """PostgreSQL: ignore every pgtrigger trigger. SQLite: drop the tables' triggers, put back after."""
    if connection.vendor == "postgresql":
        with pgtrigger.ignore():
            yield
        return
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",  # noqa: S608 - placeholders only
            tables,
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


def raw(sql: str, params: list | tuple = ()) -> None:
    with protections_off("checklist_auditevent", "checklist_screening"), connection.cursor() as cursor:
        cursor.execute(sql, params)


def raw_insert_event(*, clinic_id, screening_id, action, at, detail, previous_sha256, sha256) -> None:
    raw(
        "INSERT INTO checklist_auditevent"
        " (clinic_id, screening_id, actor_id, action, at, detail, previous_sha256, sha256)"
        " VALUES (%s, %s, NULL, %s, %s, %s, %s, %s)",
        [clinic_id, screening_id, action, at, json.dumps(detail), previous_sha256, sha256],
    )
