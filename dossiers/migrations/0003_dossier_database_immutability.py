"""The dossier links (``ScreeningDossier``) and the clinician's overrides (``DossierOverride``) of
a signed or voided screening are frozen by the database itself, as its answers are
(checklist/immutability.py): no insert, update or delete, and on PostgreSQL no TRUNCATE.

On SQLite nothing happens here: ``migrate`` installs every trigger after it runs (checklist.apps).
"""

from django.db import migrations

from checklist import immutability


def install_protections(apps, schema_editor):
    """Create the dossier tables' triggers (the others are in place already) on PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        immutability.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_screening_dossiers"),
    ]

    operations = [
        migrations.RunPython(install_protections, migrations.RunPython.noop),
    ]
