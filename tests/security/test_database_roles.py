"""PostgreSQL's runtime role, the one the app connects as, cannot get past the triggers.

The suite itself connects as the tables' owner (tests/conftest.py); here a second connection opens
the test database as the runtime role of DATABASE_URL, to which ``migrate`` granted its
privileges, and tries what an attacker holding the app's credentials would. Rows are committed
(transactional tests), so that the second connection sees them. ``scripts/with_postgres.sh``
(``make test-postgres``, ``.ci/run``) sets up the two roles.
"""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.utils import ConnectionHandler

from checklist import immutability
from checklist.models import Answer, AuditEvent, Screening
from clinic.database_roles import owner_connection, runtime_role_problems

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" or settings.DATABASE_ROLES is None,
        reason="PostgreSQL with two roles only (scripts/with_postgres.sh sets them up)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("stub_pdf"),
]


def _role(name: str) -> dict[str, str]:
    return (settings.DATABASE_ROLES or {})[name]


@pytest.fixture
def runtime():
    """A connection to the test database as the runtime role."""
    role = _role("runtime")
    with psycopg.connect(
        host=role["HOST"],
        port=role["PORT"] or None,
        user=role["USER"],
        password=role["PASSWORD"],
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    ) as conn:
        yield conn


def refused(runtime, *statements: tuple[str, list]) -> psycopg.Error:
    """Run the statements in one transaction of the runtime role; the last must be refused."""
    with pytest.raises(psycopg.Error) as caught, runtime.transaction():
        for statement, params in statements:
            runtime.execute(statement, params)
    return caught.value


def fingerprint(screening: Screening) -> tuple:
    row = Screening._base_manager.filter(pk=screening.pk).values().get()
    row["signature_png"] = bytes(row["signature_png"] or b"")
    answers = list(Answer._base_manager.filter(screening_id=screening.pk).order_by("pk").values())
    return row, answers, list(AuditEvent._base_manager.order_by("pk").values())


def test_the_runtime_role_has_what_the_app_needs_and_nothing_more(runtime):
    assert runtime.execute("SELECT current_user").fetchone()[0] == _role("runtime")["USER"]
    assert runtime_role_problems(connection) == []


@pytest.mark.parametrize("table", [*immutability.PROTECTED_TABLES, "clinic_clinic", "checklist_signedpdfrender"])
def test_it_cannot_truncate_any_table(runtime, risky_signed, table):
    before = fingerprint(risky_signed)
    error = refused(runtime, (f"TRUNCATE {table} CASCADE", []))
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert fingerprint(risky_signed) == before


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE checklist_screening DISABLE TRIGGER USER",
        "ALTER TABLE checklist_screening DISABLE TRIGGER exosafe_screening_signed_is_frozen",
        "ALTER TABLE checklist_answer DISABLE TRIGGER ALL",
        "DROP TRIGGER exosafe_audit_event_append_only ON checklist_auditevent",
        "CREATE OR REPLACE FUNCTION exosafe_screening_signed_is_frozen() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NEW; END $$",
        "ALTER TABLE checklist_screening OWNER TO CURRENT_USER",
        "SET session_replication_role = replica",
        f"SET ROLE {settings.DATABASE_ROLES['owner']['USER'] if settings.DATABASE_ROLES else 'owner'}",
        "CREATE TABLE checklist_shadow (id integer)",
    ],
)
def test_it_cannot_switch_a_trigger_off_or_become_the_owner(runtime, risky_signed, statement):
    before = fingerprint(risky_signed)
    error = refused(runtime, (statement, []))
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert fingerprint(risky_signed) == before


SIGNED_ROW_WRITES = [
    ("UPDATE checklist_screening SET patient_name = 'Someone Else' WHERE id = %s", "cannot be changed"),
    ("UPDATE checklist_screening SET pdf_sha256 = repeat('0', 64) WHERE id = %s", "cannot be changed"),
    ("DELETE FROM checklist_screening WHERE id = %s", "cannot be deleted"),
    ("UPDATE checklist_answer SET note = 'tampered' WHERE screening_id = %s", "cannot change"),
    ("DELETE FROM checklist_answer WHERE screening_id = %s", "cannot change"),
    ("UPDATE checklist_auditevent SET action = 'nothing' WHERE screening_id = %s", "append-only"),
    ("DELETE FROM checklist_auditevent WHERE screening_id = %s", "append-only"),
]


@pytest.mark.parametrize(("statement", "message"), SIGNED_ROW_WRITES)
def test_it_cannot_change_a_signed_record(runtime, risky_signed, statement, message):
    before = fingerprint(risky_signed)
    error = refused(runtime, (statement, [risky_signed.pk]))
    assert isinstance(error, psycopg.errors.IntegrityConstraintViolation) and message in str(error)
    assert fingerprint(risky_signed) == before


@pytest.mark.parametrize(("statement", "message"), SIGNED_ROW_WRITES)
def test_the_pgtrigger_ignore_setting_does_not_help_it(runtime, risky_signed, statement, message):
    """django-pgtrigger's triggers skipped themselves for any role that set pgtrigger.ignore."""
    every_name = "{" + ",".join(immutability.postgresql_trigger_tables()) + "}"
    before = fingerprint(risky_signed)
    error = refused(
        runtime,
        ("SELECT set_config('pgtrigger.ignore', %s, true)", [every_name]),
        (statement, [risky_signed.pk]),
    )
    assert isinstance(error, psycopg.errors.IntegrityConstraintViolation) and message in str(error)
    assert fingerprint(risky_signed) == before


def test_a_temporary_table_cannot_stand_in_for_the_screenings(runtime, risky_signed):
    """pg_temp comes first in the search path: the answers' trigger names its table's schema."""
    before = fingerprint(risky_signed)
    error = refused(
        runtime,
        ("CREATE TEMP TABLE checklist_screening (id uuid, status varchar(20))", []),
        ("SET LOCAL search_path = pg_temp, public", []),
        ("DELETE FROM public.checklist_answer WHERE screening_id = %s", [risky_signed.pk]),
    )
    assert isinstance(error, psycopg.errors.IntegrityConstraintViolation)
    assert fingerprint(risky_signed) == before


def test_it_still_writes_what_the_app_writes(runtime, make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="clean")
    with runtime.transaction():
        runtime.execute("UPDATE checklist_screening SET patient_name = 'Corrected Name' WHERE id = %s", [draft.pk])
        runtime.execute("UPDATE checklist_answer SET note = 'checked' WHERE screening_id = %s", [draft.pk])
        runtime.execute(
            "INSERT INTO checklist_auditevent (clinic_id, action, at, detail, previous_sha256, sha256) "
            "VALUES (%s, 'test.appended', now(), '{}', '', '')",
            [clinic_a.pk],
        )
    assert Screening.objects.get(pk=draft.pk).patient_name == "Corrected Name"
    assert AuditEvent.objects.filter(action="test.appended").exists()


def test_migrate_also_grants_on_tables_created_later(runtime):
    """Default privileges: a table a later migration creates is the runtime role's to use too."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE exosafe_probe (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
    try:
        runtime.execute("INSERT INTO exosafe_probe DEFAULT VALUES")
        assert runtime.execute("SELECT count(*) FROM exosafe_probe").fetchone()[0] == 1
        assert isinstance(refused(runtime, ("TRUNCATE exosafe_probe", [])), psycopg.errors.InsufficientPrivilege)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE exosafe_probe")


def test_operator_commands_connect_as_the_owner():
    runtime = {**connection.settings_dict, **_role("runtime")}
    handler = ConnectionHandler({"default": runtime})
    app = handler["default"]
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == _role("runtime")["USER"]
        with owner_connection(app), app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == _role("owner")["USER"]
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == _role("runtime")["USER"]
    finally:
        handler.close_all()
