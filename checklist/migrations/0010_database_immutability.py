"""The database's own locks on signed records and the audit log become plain SQL triggers
(checklist/immutability.py), with TRUNCATE refused too.

On PostgreSQL they replace django-pgtrigger's triggers, which any role could skip by setting
``pgtrigger.ignore``. On SQLite nothing happens here: the triggers are dropped before every
``migrate`` and created after it (checklist.apps), because Django's table rebuilds drop them.
"""

import pgtrigger.migrations
from django.db import migrations

from checklist import immutability


def install_protections(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        immutability.install(schema_editor.connection, replace=True)


def remove_protections(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        immutability.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0009_history_without_snapshot"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="answer",
            name="answer_of_signed_is_frozen",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="auditevent",
            name="audit_event_append_only",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="screening",
            name="screening_never_deleted",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="screening",
            name="screening_signed_is_frozen",
        ),
        migrations.RunPython(install_protections, remove_protections),
    ]
