"""The backup archive's format and what is backed up: shared by writing and restoring."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "exosafe-backup"
FORMAT_VERSION = 1
DATA_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024

# Rows that migrate creates itself, and state that must not come back: sessions (everyone signs
# in again), current sign-in lockouts and the background task queue (a PDF still pending is on
# its SignedPdfRender row; `screening_pdf_render --pending` stores it). Axes' logs are kept.
EXCLUDED_MODELS = frozenset(
    {
        "contenttypes.ContentType",
        "auth.Permission",
        "sessions.Session",
        "axes.AccessAttempt",
        "axes.AccessAttemptExpiration",
        "django_tasks_database.DBTaskResult",
    }
)
# Referenced by natural key, since their primary keys differ between databases.
NATURAL_KEY_MODELS = frozenset({"contenttypes.ContentType", "auth.Permission"})


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and what to do."""


# --- What is backed up ---------------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every concrete model whose rows are the installation's data, in a stable order."""
    chosen = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in EXCLUDED_MODELS:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label)


def _file_columns(model: type[models.Model]) -> list[str]:
    """Columns naming a stored file: FileFields, and the same columns of a simple-history model
    (which keeps them as plain text)."""
    names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    original = getattr(model, "instance_type", None)  # simple-history's link to the tracked model
    if original is not None:
        tracked = {f.name for f in original._meta.concrete_fields if isinstance(f, models.FileField)}
        names += [f.attname for f in model._meta.concrete_fields if f.name in tracked and f.attname not in names]
    return names


def _storage_for(column_label: str):
    """The storage of a file column such as ``checklist.Screening.pdf`` (history columns use the
    tracked model's field); the default storage for anything else."""
    model_label, _dot, column = column_label.rpartition(".")
    try:
        model = apps.get_model(model_label)
        model = getattr(model, "instance_type", None) or model
        found = model._meta.get_field(column)
    except (LookupError, ValueError, FieldDoesNotExist):
        found = None
    return found.storage if isinstance(found, models.FileField) else default_storage


def _check_name(name: str) -> str:
    """A stored file name as it may appear in an archive: relative, no "..", no backslashes."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative path.")
    normal = posixpath.normpath(name)
    if normal != name or normal.startswith("../") or normal == ".." or "/../" in f"/{normal}/":
        raise BackupError(f"Refusing the file name {name!r}: not a plain relative path.")
    return name


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder rounds times to the millisecond; a backup keeps them to the microsecond."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _SelectiveNaturalKeys(JsonSerializer):
    """Natural keys for content types and permissions only; every other row keeps its primary key,
    so that history rows pointing at a deleted user still serialise."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model._meta.label in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model._meta.label in NATURAL_KEY_MODELS
        super().handle_m2m_field(obj, field)


def _sha256_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One transaction that sees the database as it was when it began (on PostgreSQL, a
    repeatable-read snapshot; on SQLite the transaction holds the database's lock)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield
