"""The embedded default: SQLite set up so that readers never wait for a writer."""

from __future__ import annotations

from django.db.utils import ConnectionHandler

from clinic.settings import SQLITE_BUSY_TIMEOUT_SECONDS, _database_config


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
