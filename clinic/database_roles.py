"""PostgreSQL's two roles: the tables' owner, and the runtime role the app connects as.

The app (gunicorn, the PDF worker, ``load_checklist``, ``seed_demo``) connects as the runtime role
of ``DATABASE_URL``: it may SELECT, INSERT, UPDATE and DELETE rows and use the id sequences, and
nothing else. It owns no table, so it cannot ``ALTER TABLE ... DISABLE TRIGGER``, drop or replace
a trigger, or ``TRUNCATE``. Migrations and the operator commands that must write past the
triggers (``restore_data``, ``flush``) connect as the owner of ``DATABASE_MIGRATE_URL``, and
``migrate`` grants the runtime role its privileges after each run, on the tables that exist and,
as default privileges, on those later migrations create.

Without ``DATABASE_MIGRATE_URL`` (SQLite, or a PostgreSQL set up with one role) everything here
does nothing, and the one role does everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

RUNTIME_TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Never for the runtime role: with these it could empty a table or put a trigger on it.
REFUSED_TABLE_PRIVILEGES = ("TRUNCATE", "TRIGGER", "REFERENCES")


def _roles(connection: BaseDatabaseWrapper) -> dict[str, dict[str, str]] | None:
    if connection.vendor != "postgresql":
        return None
    return getattr(settings, "DATABASE_ROLES", None)


def runtime_role(connection: BaseDatabaseWrapper) -> str | None:
    roles = _roles(connection)
    return roles["runtime"]["USER"] if roles else None


def owner_role(connection: BaseDatabaseWrapper) -> str | None:
    roles = _roles(connection)
    return roles["owner"]["USER"] if roles else None


@contextmanager
def owner_connection(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Connect as the tables' owner for the block, then as before.

    Does nothing without two roles, or when the connection already is the owner's (the test
    suite connects as the owner). Meant for management commands: the connection's settings are
    the process's, so every thread connects as the owner meanwhile.
    """
    roles = _roles(connection)
    if roles is None or connection.settings_dict.get("USER") == roles["owner"]["USER"]:
        yield
        return
    if connection.in_atomic_block:
        raise RuntimeError("Cannot switch to the owner role inside a transaction.")
    saved = {key: connection.settings_dict.get(key, "") for key in roles["owner"]}
    connection.close()
    connection.settings_dict.update(roles["owner"])
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _schema_and_runtime(connection: BaseDatabaseWrapper, cursor) -> tuple[str, str]:
    cursor.execute("SELECT current_schema()")
    schema = cursor.fetchone()[0]
    return connection.ops.quote_name(schema), connection.ops.quote_name(runtime_role(connection) or "")


def runtime_privileges_grant(connection: BaseDatabaseWrapper) -> None:
    """Give the runtime role what the app needs, run as the owner after migrating; idempotent."""
    if runtime_role(connection) is None:
        return
    tables = ", ".join(RUNTIME_TABLE_PRIVILEGES)
    with connection.cursor() as cursor:
        schema, runtime = _schema_and_runtime(connection, cursor)
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {runtime}",
            f"GRANT {tables} ON ALL TABLES IN SCHEMA {schema} TO {runtime}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {runtime}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {tables} ON TABLES TO {runtime}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {runtime}",
        ):
            cursor.execute(statement)


def runtime_role_problems(connection: BaseDatabaseWrapper) -> list[str]:
    """What would let the runtime role get past the triggers, or stop the app working; empty when
    the roles are set up as docs/security.md says."""
    runtime, owner = runtime_role(connection), owner_role(connection)
    if runtime is None or owner is None:
        return []
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [owner, runtime],
        )
        row = cursor.fetchone()
        if row is None:
            return [f"The runtime role {runtime} does not exist."]
        superuser, create_role, member_of_owner = row
        if superuser:
            problems.append(f"The runtime role {runtime} is a superuser.")
        if create_role:
            problems.append(f"The runtime role {runtime} has CREATEROLE (it could make itself a member of {owner}).")
        if member_of_owner:
            problems.append(f"The runtime role {runtime} is a member of the owner role {owner}.")
        cursor.execute(
            "SELECT has_schema_privilege(%s, current_schema(), 'CREATE')",
            [runtime],
        )
        if cursor.fetchone()[0]:
            problems.append(f"The runtime role {runtime} may create objects in the schema.")
        cursor.execute(
            "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), "
            "  CASE WHEN c.relkind <> 'S' THEN"
            "    array(SELECT p FROM unnest(%s::text[]) p WHERE has_table_privilege(%s, c.oid, p)) END, "
            "  CASE WHEN c.relkind <> 'S' THEN"
            "    array(SELECT p FROM unnest(%s::text[]) p WHERE NOT has_table_privilege(%s, c.oid, p)) END, "
            "  CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(%s, c.oid, 'USAGE') END "
            "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'S') "
            "ORDER BY c.relname",
            [list(REFUSED_TABLE_PRIVILEGES), runtime, list(RUNTIME_TABLE_PRIVILEGES), runtime, runtime],
        )
        for name, kind, table_owner, refused, missing, sequence_usage in cursor.fetchall():
            if table_owner == runtime:
                problems.append(f"The runtime role {runtime} owns {name}.")
            if kind == "S":
                if not sequence_usage:
                    problems.append(f"The runtime role {runtime} may not use the sequence {name}.")
                continue
            if refused:
                problems.append(f"The runtime role {runtime} has {', '.join(refused)} on {name}.")
            if missing:
                problems.append(f"The runtime role {runtime} lacks {', '.join(missing)} on {name}.")
    return problems
