"""The embedded default: SQLite set up so that readers never wait for a writer; and PostgreSQL's
two roles, read from DATABASE_URL and DATABASE_MIGRATE_URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from checklist.checks import database_roles_warnings
from clinic.settings import SQLITE_BUSY_TIMEOUT_SECONDS, _database_config, _database_roles


def _connect(monkeypatch, path, url: str | None = None):
    if url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", url)
    config = _database_config()
    config["NAME"] = str(path)
    return ConnectionHandler({"default": config})["default"]


def _pragmas(connection, django_db_blocker) -> tuple[str, int]:
    # A connection of its own to a file of its own, outside the test database.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    return journal_mode, busy_timeout


def test_a_new_connection_is_in_wal_mode_with_a_busy_timeout(monkeypatch, tmp_path, django_db_blocker):
    connection = _connect(monkeypatch, tmp_path / "clinic.sqlite3")
    try:
        assert _pragmas(connection, django_db_blocker) == ("wal", SQLITE_BUSY_TIMEOUT_SECONDS * 1000)
        assert connection.transaction_mode == "IMMEDIATE"
    finally:
        connection.close()


def test_a_sqlite_database_url_gets_the_same_options(monkeypatch, tmp_path, django_db_blocker):
    path = tmp_path / "elsewhere.sqlite3"
    connection = _connect(monkeypatch, path, url=f"sqlite:///{path}")
    try:
        assert _pragmas(connection, django_db_blocker) == ("wal", SQLITE_BUSY_TIMEOUT_SECONDS * 1000)
        assert connection.transaction_mode == "IMMEDIATE"
    finally:
        connection.close()


PG = "postgres://exosafe_app:app-secret@db.internal:5432/exosafe"
PG_OWNER = "postgres://exosafe_owner:owner-secret@db.internal:5432/exosafe"


def _roles(monkeypatch, url: str | None, migrate_url: str | None):
    for name, value in (("DATABASE_URL", url), ("DATABASE_MIGRATE_URL", migrate_url)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return _database_roles(_database_config())


def test_one_role_does_everything_without_a_migrate_url(monkeypatch):
    assert _roles(monkeypatch, PG, None) is None
    assert _roles(monkeypatch, None, None) is None


def test_the_migrate_url_names_the_owner_and_the_database_url_the_runtime_role(monkeypatch):
    roles = _roles(monkeypatch, PG, PG_OWNER)
    assert roles["runtime"] == {"USER": "exosafe_app", "PASSWORD": "app-secret", "HOST": "db.internal", "PORT": 5432}
    assert roles["owner"]["USER"] == "exosafe_owner" and roles["owner"]["PASSWORD"] == "owner-secret"


@pytest.mark.parametrize(
    ("url", "migrate_url", "message"),
    [
        (None, PG_OWNER, "for PostgreSQL"),
        (PG, "sqlite:///elsewhere.sqlite3", "for PostgreSQL"),
        (PG, PG_OWNER.replace("/exosafe", "/other"), "same database"),
        (PG, PG.replace("app-secret", "other"), "two different roles"),
        (PG, "not a url", "DATABASE_MIGRATE_URL"),
    ],
)
def test_a_migrate_url_that_cannot_be_the_owner_of_the_same_database_is_refused(monkeypatch, url, migrate_url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _roles(monkeypatch, url, migrate_url)


def test_the_deploy_check_warns_when_postgresql_has_one_role():
    postgresql, sqlite = "django.db.backends.postgresql", "django.db.backends.sqlite3"
    assert [w.id for w in database_roles_warnings(postgresql, None)] == ["checklist.W001"]
    assert database_roles_warnings(postgresql, {"runtime": {"USER": "app"}, "owner": {"USER": "owner"}}) == []
    assert database_roles_warnings(sqlite, None) == []
