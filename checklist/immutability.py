# ruff: noqa: S608 - the SQL here is built from this module's constants and the tables' own column names
"""The database's own locks on signed records and on the audit log, on SQLite and PostgreSQL.

The rules are those of the models' ``save()`` and ``delete()`` and of their QuerySets
(``checklist/models/screenings.py``), enforced again by the database so that no statement can
break them, whichever code sends it:

- a screening is never deleted;
- a signed or voided screening never changes, except for two transitions: voiding a signed
  screening (only ``VOID_FIELDS`` change) and storing its PDF once (``pdf`` and ``pdf_sha256``
  from empty to set, nothing else changed). The signature, the ticked statements, the decision
  and the frozen findings are columns of the screening, so they are frozen with it;
- the answers of a signed or voided screening, its red flags' resolutions and its teach-back
  answers are never inserted, changed or deleted, nor are the dossier links (which product, lot
  and revisions it was made from, with the answers it took) and the clinician's overrides of the
  dossier's answers (the dossiers app's ``ScreeningDossier`` and ``DossierOverride``);
- audit events are append-only, and so are the treatment day's time-outs and the withdrawals;
- on PostgreSQL, none of these tables can be truncated.

They are plain SQL triggers that honour no session setting (django-pgtrigger's triggers, used
before, let any role skip them with ``set_config('pgtrigger.ignore', ...)``). On PostgreSQL only
the tables' owner can switch them off (``ALTER TABLE ... DISABLE TRIGGER``), and the app connects
as another role (``clinic/database_roles.py``). On SQLite anyone who can write the file can drop
them: they stop the app's code and careless SQL, not the file's owner (``docs/security.md``).

Installing: migrations 0010, 0011, 0014 and 0015 (and the dossiers app's 0003 for its two tables)
create them on PostgreSQL, and every later ``migrate`` (and ``flush``) puts back any that is
missing; a trigger of the dossiers' tables waits until those tables exist. On SQLite they are
dropped before every ``migrate`` and created afresh after it (``checklist.apps``): Django rebuilds
a SQLite table for most field changes, which drops the table's triggers, and a rebuild of the
screenings table fails while the answers' triggers, which read it, exist. The screening trigger
lists the table's columns as they are when it is created, so a column added later is covered from
the next ``migrate`` on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

SCREENING_TABLE = "checklist_screening"
ANSWER_TABLE = "checklist_answer"
FLAG_RESOLUTION_TABLE = "checklist_flagresolution"
TEACH_BACK_TABLE = "checklist_teachbackanswer"
AUDIT_TABLE = "checklist_auditevent"
TIME_OUT_TABLE = "checklist_treatmenttimeout"
WITHDRAWAL_TABLE = "checklist_consentwithdrawal"
# Written once per signed screening and never changed: the treatment day's time-out, a withdrawal.
APPEND_ONLY_TABLES = {"time_out": TIME_OUT_TABLE, "withdrawal": WITHDRAWAL_TABLE}
CHECKLIST_TABLES = (
    SCREENING_TABLE,
    ANSWER_TABLE,
    FLAG_RESOLUTION_TABLE,
    TEACH_BACK_TABLE,
    AUDIT_TABLE,
    *APPEND_ONLY_TABLES.values(),
)
# The dossiers app's rows that freeze with their screening (dossiers/models.py), by kind.
SCREENING_DOSSIER_TABLE = "dossiers_screeningdossier"
DOSSIER_OVERRIDE_TABLE = "dossiers_dossieroverride"
DOSSIER_TABLES = {"screening_dossier": SCREENING_DOSSIER_TABLE, "dossier_override": DOSSIER_OVERRIDE_TABLE}
PROTECTED_TABLES = (*CHECKLIST_TABLES, *DOSSIER_TABLES.values())
# The name of the checklist migration that replaced django-pgtrigger's triggers by these.
MIGRATION_SUFFIX = "_database_immutability"

LOCKED_STATUSES = ("signed", "voided")
# The columns that may change on a signed screening, for each allowed transition (the same sets
# as Screening.VOID_FIELDS and Screening.PDF_FILL_FIELDS; a test holds them equal).
VOID_COLUMNS = ("status", "voided_at", "voided_by_id", "void_reason", "updated_at")
PDF_FILL_COLUMNS = ("pdf", "pdf_sha256", "updated_at")

SCREENING_FROZEN_MESSAGE = "a signed or voided screening cannot be changed"
SCREENING_KEPT_MESSAGE = "screenings are kept for the record and cannot be deleted or replaced"
ANSWER_FROZEN_MESSAGE = "the answers of a signed or voided screening cannot change"
FLAG_RESOLUTION_FROZEN_MESSAGE = "the flag resolutions of a signed or voided screening cannot change"
TEACH_BACK_FROZEN_MESSAGE = "the teach-back answers of a signed or voided screening cannot change"
DOSSIER_FROZEN_MESSAGES = {
    "screening_dossier": "the dossier links of a signed or voided screening cannot change",
    "dossier_override": "the dossier overrides of a signed or voided screening cannot change",
}
AUDIT_MESSAGE = "audit events are append-only"
APPEND_ONLY_MESSAGE = "a time-out or a withdrawal is kept as it was recorded"

_LOCKED_SQL = "('signed', 'voided')"


def protected_tables_exist(connection: BaseDatabaseWrapper) -> bool:
    """The checklist's tables exist (a migration from scratch has got that far). The dossiers'
    tables come later, in their own app's migrations: their triggers wait for them
    (``_existing``)."""
    return set(CHECKLIST_TABLES) <= set(connection.introspection.table_names())


def _existing(connection: BaseDatabaseWrapper, triggers: dict[str, str]) -> set[str]:
    """The names of ``triggers`` (name to table) whose table exists."""
    tables = set(connection.introspection.table_names())
    return {name for name, table in triggers.items() if table in tables}


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_columns(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _unchanged(columns: list[str], *, except_: tuple[str, ...]) -> str:
    return " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns if column not in except_)


def _sqlite_raise(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


def sqlite_triggers(screening_columns: list[str]) -> dict[str, str]:
    """Every SQLite trigger by name, given the screening table's columns."""
    s, a, e = SCREENING_TABLE, ANSWER_TABLE, AUDIT_TABLE
    voiding = (
        f"(OLD.status = 'signed' AND NEW.status = 'voided' AND {_unchanged(screening_columns, except_=VOID_COLUMNS)})"
    )
    pdf_fill = (
        "(OLD.pdf = '' AND OLD.pdf_sha256 = '' AND NEW.pdf <> '' AND NEW.pdf_sha256 <> '' AND "
        f"{_unchanged(screening_columns, except_=PDF_FILL_COLUMNS)})"
    )
    return {
        "exosafe_screening_never_deleted": (
            f"CREATE TRIGGER exosafe_screening_never_deleted BEFORE DELETE ON {s} "
            f"{_sqlite_raise(SCREENING_KEPT_MESSAGE)}"
        ),
        # INSERT OR REPLACE deletes the row it conflicts with without firing delete triggers
        # (unless recursive_triggers is on): refuse any insert that would replace a screening.
        "exosafe_screening_never_replaced": (
            f"CREATE TRIGGER exosafe_screening_never_replaced BEFORE INSERT ON {s} "
            f"WHEN EXISTS (SELECT 1 FROM {s} WHERE id = NEW.id OR reference = NEW.reference "
            "OR verification_code = NEW.verification_code) "
            f"{_sqlite_raise(SCREENING_KEPT_MESSAGE)}"
        ),
        "exosafe_screening_signed_is_frozen": (
            f"CREATE TRIGGER exosafe_screening_signed_is_frozen BEFORE UPDATE ON {s} "
            f"WHEN OLD.status IN {_LOCKED_SQL} AND NOT {voiding} AND NOT {pdf_fill} "
            f"{_sqlite_raise(SCREENING_FROZEN_MESSAGE)}"
        ),
        **_sqlite_rows_frozen("answer", a, ANSWER_FROZEN_MESSAGE),
        **_sqlite_rows_frozen("flag_resolution", FLAG_RESOLUTION_TABLE, FLAG_RESOLUTION_FROZEN_MESSAGE),
        **_sqlite_rows_frozen("teach_back_answer", TEACH_BACK_TABLE, TEACH_BACK_FROZEN_MESSAGE),
        "exosafe_audit_event_append_only_on_update": (
            f"CREATE TRIGGER exosafe_audit_event_append_only_on_update BEFORE UPDATE ON {e} "
            f"{_sqlite_raise(AUDIT_MESSAGE)}"
        ),
        "exosafe_audit_event_append_only_on_delete": (
            f"CREATE TRIGGER exosafe_audit_event_append_only_on_delete BEFORE DELETE ON {e} "
            f"{_sqlite_raise(AUDIT_MESSAGE)}"
        ),
        "exosafe_audit_event_never_replaced": (
            f"CREATE TRIGGER exosafe_audit_event_never_replaced BEFORE INSERT ON {e} "
            f"WHEN EXISTS (SELECT 1 FROM {e} WHERE id = NEW.id) "
            f"{_sqlite_raise(AUDIT_MESSAGE)}"
        ),
        **{name: sql for kind, table in APPEND_ONLY_TABLES.items() for name, sql in _sqlite_append_only(kind, table)},
        **{
            name: sql
            for kind, table in DOSSIER_TABLES.items()
            for name, sql in _sqlite_rows_frozen(kind, table, DOSSIER_FROZEN_MESSAGES[kind]).items()
        },
    }


def sqlite_trigger_tables(screening_columns: list[str]) -> dict[str, str]:
    """Every SQLite trigger by name, with its table (the one after ``ON`` in its own SQL)."""
    return {name: _ON_TABLE.search(sql)[1] for name, sql in sqlite_triggers(screening_columns).items()}  # type: ignore[index]


_ON_TABLE = re.compile(r" ON (\w+) ")


def _sqlite_append_only(kind: str, table: str) -> list[tuple[str, str]]:
    """No update, no delete, and no insert that would replace a row (same id or same screening)."""
    name = f"exosafe_{kind}_append_only"
    raise_ = _sqlite_raise(APPEND_ONLY_MESSAGE)
    return [
        (f"{name}_on_update", f"CREATE TRIGGER {name}_on_update BEFORE UPDATE ON {table} {raise_}"),
        (f"{name}_on_delete", f"CREATE TRIGGER {name}_on_delete BEFORE DELETE ON {table} {raise_}"),
        (
            f"{name}_never_replaced",
            f"CREATE TRIGGER {name}_never_replaced BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id OR screening_id = NEW.screening_id) {raise_}",
        ),
    ]


def _sqlite_rows_frozen(kind: str, table: str, message: str) -> dict[str, str]:
    """The triggers that freeze a screening's rows of ``table`` (answers, flag resolutions,
    teach-back answers) with it.

    The insert trigger also refuses an insert that would replace a row of a signed screening."""
    locked = f"SELECT 1 FROM {SCREENING_TABLE} s WHERE s.status IN {_LOCKED_SQL} AND s.id"
    name = f"exosafe_{kind}_of_signed_is_frozen"
    return {
        f"{name}_on_insert": (
            f"CREATE TRIGGER {name}_on_insert BEFORE INSERT ON {table} "
            f"WHEN EXISTS ({locked} = NEW.screening_id) "
            f"OR EXISTS ({locked} IN (SELECT screening_id FROM {table} WHERE id = NEW.id)) "
            f"{_sqlite_raise(message)}"
        ),
        f"{name}_on_update": (
            f"CREATE TRIGGER {name}_on_update BEFORE UPDATE ON {table} "
            f"WHEN EXISTS ({locked} IN (OLD.screening_id, NEW.screening_id)) "
            f"{_sqlite_raise(message)}"
        ),
        f"{name}_on_delete": (
            f"CREATE TRIGGER {name}_on_delete BEFORE DELETE ON {table} "
            f"WHEN EXISTS ({locked} = OLD.screening_id) "
            f"{_sqlite_raise(message)}"
        ),
    }


def _sqlite_installed(connection: BaseDatabaseWrapper) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'exosafe_*'")
        return dict(cursor.fetchall())


def _sqlite_install(connection: BaseDatabaseWrapper) -> None:
    columns = _sqlite_columns(connection, SCREENING_TABLE)
    present = _existing(connection, sqlite_trigger_tables(columns))
    wanted = {name: sql for name, sql in sqlite_triggers(columns).items() if name in present}
    installed = _sqlite_installed(connection)
    with connection.cursor() as cursor:
        for name, sql in wanted.items():
            if installed.get(name) == sql:
                continue
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(sql)


def _sqlite_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in _sqlite_installed(connection):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


# PostgreSQL --------------------------------------------------------------------------------------

# Each function runs with a fixed search path and names its tables with their schema, so that a
# temporary table of the same name (pg_temp comes first otherwise) cannot stand in for them.
_PG_FUNCTIONS = {
    "exosafe_screening_never_deleted": f"""
        RAISE EXCEPTION '{SCREENING_KEPT_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    """,
    "exosafe_screening_signed_is_frozen": f"""
        IF OLD.status = 'signed' AND NEW.status = 'voided'
           AND (to_jsonb(NEW) - '{{{",".join(VOID_COLUMNS)}}}'::text[])
             = (to_jsonb(OLD) - '{{{",".join(VOID_COLUMNS)}}}'::text[])
        THEN
            RETURN NEW;
        END IF;
        IF OLD.pdf = '' AND OLD.pdf_sha256 = '' AND NEW.pdf <> '' AND NEW.pdf_sha256 <> ''
           AND (to_jsonb(NEW) - '{{{",".join(PDF_FILL_COLUMNS)}}}'::text[])
             = (to_jsonb(OLD) - '{{{",".join(PDF_FILL_COLUMNS)}}}'::text[])
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'screening % is % and cannot be changed', OLD.reference, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    """,
    "exosafe_answer_of_signed_is_frozen": f"""
        IF EXISTS (
            SELECT 1 FROM {{schema}}.{SCREENING_TABLE} s
            WHERE s.id IN (OLD.screening_id, NEW.screening_id) AND s.status IN {_LOCKED_SQL}
        ) THEN
            RAISE EXCEPTION '{ANSWER_FROZEN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    """,
    "exosafe_flag_resolution_of_signed_is_frozen": f"""
        IF EXISTS (
            SELECT 1 FROM {{schema}}.{SCREENING_TABLE} s
            WHERE s.id IN (OLD.screening_id, NEW.screening_id) AND s.status IN {_LOCKED_SQL}
        ) THEN
            RAISE EXCEPTION '{FLAG_RESOLUTION_FROZEN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    """,
    "exosafe_teach_back_answer_of_signed_is_frozen": f"""
        IF EXISTS (
            SELECT 1 FROM {{schema}}.{SCREENING_TABLE} s
            WHERE s.id IN (OLD.screening_id, NEW.screening_id) AND s.status IN {_LOCKED_SQL}
        ) THEN
            RAISE EXCEPTION '{TEACH_BACK_FROZEN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    """,
    **{
        f"exosafe_{kind}_of_signed_is_frozen": f"""
        IF EXISTS (
            SELECT 1 FROM {{schema}}.{SCREENING_TABLE} s
            WHERE s.id IN (OLD.screening_id, NEW.screening_id) AND s.status IN {_LOCKED_SQL}
        ) THEN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN COALESCE(NEW, OLD);
    """
        for kind, message in DOSSIER_FROZEN_MESSAGES.items()
    },
    "exosafe_audit_event_append_only": f"""
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    """,
    "exosafe_append_only": f"""
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    """,
    "exosafe_never_truncated": """
        RAISE EXCEPTION '% cannot be truncated: it holds signed records or the audit log', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    """,
}

# Trigger name: (table, timing and events, row or statement and condition, function).
_PG_TRIGGERS = {
    "exosafe_screening_never_deleted": (
        SCREENING_TABLE,
        "BEFORE DELETE",
        "FOR EACH ROW",
        "exosafe_screening_never_deleted",
    ),
    "exosafe_screening_signed_is_frozen": (
        SCREENING_TABLE,
        "BEFORE UPDATE",
        f"FOR EACH ROW WHEN (OLD.status IN {_LOCKED_SQL})",
        "exosafe_screening_signed_is_frozen",
    ),
    "exosafe_answer_of_signed_is_frozen": (
        ANSWER_TABLE,
        "BEFORE INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW",
        "exosafe_answer_of_signed_is_frozen",
    ),
    "exosafe_flag_resolution_of_signed_is_frozen": (
        FLAG_RESOLUTION_TABLE,
        "BEFORE INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW",
        "exosafe_flag_resolution_of_signed_is_frozen",
    ),
    "exosafe_teach_back_answer_of_signed_is_frozen": (
        TEACH_BACK_TABLE,
        "BEFORE INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW",
        "exosafe_teach_back_answer_of_signed_is_frozen",
    ),
    "exosafe_audit_event_append_only": (
        AUDIT_TABLE,
        "BEFORE UPDATE OR DELETE",
        "FOR EACH ROW",
        "exosafe_audit_event_append_only",
    ),
    "exosafe_screening_never_truncated": (
        SCREENING_TABLE,
        "BEFORE TRUNCATE",
        "FOR EACH STATEMENT",
        "exosafe_never_truncated",
    ),
    "exosafe_answer_never_truncated": (
        ANSWER_TABLE,
        "BEFORE TRUNCATE",
        "FOR EACH STATEMENT",
        "exosafe_never_truncated",
    ),
    "exosafe_flag_resolution_never_truncated": (
        FLAG_RESOLUTION_TABLE,
        "BEFORE TRUNCATE",
        "FOR EACH STATEMENT",
        "exosafe_never_truncated",
    ),
    "exosafe_teach_back_answer_never_truncated": (
        TEACH_BACK_TABLE,
        "BEFORE TRUNCATE",
        "FOR EACH STATEMENT",
        "exosafe_never_truncated",
    ),
    "exosafe_audit_event_never_truncated": (
        AUDIT_TABLE,
        "BEFORE TRUNCATE",
        "FOR EACH STATEMENT",
        "exosafe_never_truncated",
    ),
    **{
        f"exosafe_{kind}_append_only": (table, "BEFORE UPDATE OR DELETE", "FOR EACH ROW", "exosafe_append_only")
        for kind, table in APPEND_ONLY_TABLES.items()
    },
    **{
        f"exosafe_{kind}_never_truncated": (table, "BEFORE TRUNCATE", "FOR EACH STATEMENT", "exosafe_never_truncated")
        for kind, table in APPEND_ONLY_TABLES.items()
    },
    **{
        f"exosafe_{kind}_of_signed_is_frozen": (
            table,
            "BEFORE INSERT OR UPDATE OR DELETE",
            "FOR EACH ROW",
            f"exosafe_{kind}_of_signed_is_frozen",
        )
        for kind, table in DOSSIER_TABLES.items()
    },
    **{
        f"exosafe_{kind}_never_truncated": (table, "BEFORE TRUNCATE", "FOR EACH STATEMENT", "exosafe_never_truncated")
        for kind, table in DOSSIER_TABLES.items()
    },
}


def postgresql_trigger_tables() -> dict[str, str]:
    """Every PostgreSQL trigger by name, with its table."""
    return {name: table for name, (table, *_rest) in _PG_TRIGGERS.items()}


def _pg_schema(connection: BaseDatabaseWrapper) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return connection.ops.quote_name(cursor.fetchone()[0])


def _pg_installed(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s) AND NOT t.tgisinternal",
            [list(PROTECTED_TABLES)],
        )
        return {row[0] for row in cursor.fetchall()}


def _pg_install(connection: BaseDatabaseWrapper, *, replace: bool) -> None:
    present = _existing(connection, postgresql_trigger_tables())
    missing = present if replace else present - _pg_installed(connection)
    if not missing:
        return
    schema = _pg_schema(connection)
    with connection.cursor() as cursor:
        for function, body in _PG_FUNCTIONS.items():
            source = body.replace("{schema}", schema)
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql "
                f"SET search_path = pg_catalog, pg_temp AS $body$ BEGIN {source} END $body$"
            )
        for name in sorted(missing):
            table, events, each, function = _PG_TRIGGERS[name]
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {schema}.{table}")
            cursor.execute(
                f"CREATE TRIGGER {name} {events} ON {schema}.{table} {each} EXECUTE FUNCTION {schema}.{function}()"
            )


def _pg_uninstall(connection: BaseDatabaseWrapper) -> None:
    schema = _pg_schema(connection)
    present = _existing(connection, postgresql_trigger_tables())
    with connection.cursor() as cursor:
        for name, (table, *_rest) in _PG_TRIGGERS.items():
            if name not in present:
                continue
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {schema}.{table}")
        for function in _PG_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {schema}.{function}()")


def _pg_set_enabled(connection: BaseDatabaseWrapper, *, enabled: bool) -> None:
    schema = _pg_schema(connection)
    present = _existing(connection, postgresql_trigger_tables())
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with deferred foreign-key checks still pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, (table, *_rest) in _PG_TRIGGERS.items():
            if name not in present:
                continue
            cursor.execute(f"ALTER TABLE {schema}.{table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# Both --------------------------------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper, *, replace: bool = False) -> None:
    """Create the triggers that are missing (all of them afresh with ``replace``); idempotent.

    On SQLite a trigger whose SQL differs from today's (the screening table gained a column) is
    replaced too. Nothing happens before the tables exist.
    """
    if not protected_tables_exist(connection):
        return
    if connection.vendor == "sqlite":
        _sqlite_install(connection)
    elif connection.vendor == "postgresql":
        _pg_install(connection, replace=replace)


def install_if_migrated(connection: BaseDatabaseWrapper) -> None:
    """``install``, once the migration that brought these triggers is applied (so that migrating
    back before it leaves the triggers of that time alone)."""
    applied = MigrationRecorder(connection).applied_migrations()
    if any(app == "checklist" and name.endswith(MIGRATION_SUFFIX) for app, name in applied):
        install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if not protected_tables_exist(connection):
        return
    if connection.vendor == "sqlite":
        _sqlite_uninstall(connection)
    elif connection.vendor == "postgresql":
        _pg_uninstall(connection)


@contextmanager
def protections_suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Switch the triggers off for one transaction, for operator work that must write protected
    rows: loading a backup, emptying the database (``flush``), and tests that tamper on purpose.

    PostgreSQL: ``ALTER TABLE ... DISABLE TRIGGER``, which only the tables' owner may run (so
    the app's runtime role cannot). SQLite: the triggers are dropped and created again. Either
    way it is one transaction: if the block fails, the rollback puts the triggers back as well.
    """
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            _pg_set_enabled(connection, enabled=False)
        else:
            _sqlite_uninstall(connection)
        yield
        if connection.vendor == "postgresql":
            _pg_set_enabled(connection, enabled=True)
        else:
            install(connection)
