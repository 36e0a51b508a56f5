"""The audit trail becomes a hash chain: each event carries its clinic's previous digest and its own.

Events recorded before the chain existed are hashed in the order they were written, and every PDF
already stored gets a ``screening.pdf_stored`` event with its hash, so that ``verify_audit`` checks
the whole history from here on.
"""

from contextlib import contextmanager

import django.utils.timezone
from django.db import migrations, models

from checklist.audit_chain import GENESIS_SHA256, event_sha256


@contextmanager
def append_only_trigger_off(connection):
    """The audit log's trigger of the time (django-pgtrigger's, PostgreSQL only) off for this
    migration's transaction; migrations run as the tables' owner. (0010 replaced that trigger.)"""
    name = "pgtrigger_audit_event_append_only_9b872"
    present = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [name])
            present = cursor.fetchone() is not None
            if present:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE checklist_auditevent DISABLE TRIGGER {name}")
    yield
    if present:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE checklist_auditevent ENABLE TRIGGER {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def hash_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("checklist", "AuditEvent")
    Screening = apps.get_model("checklist", "Screening")
    db = schema_editor.connection.alias
    with append_only_trigger_off(schema_editor.connection):
        clinic_ids = AuditEvent.objects.using(db).values_list("clinic_id", flat=True).distinct()
        for clinic_id in sorted(set(clinic_ids) | set(Screening.objects.using(db).values_list("clinic_id", flat=True))):
            previous = GENESIS_SHA256
            rows = (
                AuditEvent.objects.using(db)
                .filter(clinic_id=clinic_id)
                .order_by("id")
                .values_list("id", "screening__reference", "actor_id", "action", "at", "detail")
            )
            for event_id, reference, actor_id, action, at, detail in rows:
                digest = event_sha256(
                    clinic_id=clinic_id,
                    screening_reference=reference,
                    actor_id=actor_id,
                    action=action,
                    at=at,
                    detail=detail,
                    previous_sha256=previous,
                )
                AuditEvent.objects.using(db).filter(pk=event_id).update(previous_sha256=previous, sha256=digest)
                previous = digest
            stored = (
                Screening.objects.using(db)
                .filter(clinic_id=clinic_id)
                .exclude(pdf_sha256="")
                .order_by("signed_at", "reference")
            )
            for screening in stored:
                at = django.utils.timezone.now()
                detail = {"sha256": screening.pdf_sha256, "recorded_by": "migration"}
                digest = event_sha256(
                    clinic_id=clinic_id,
                    screening_reference=screening.reference,
                    actor_id=None,
                    action="screening.pdf_stored",
                    at=at,
                    detail=detail,
                    previous_sha256=previous,
                )
                AuditEvent.objects.using(db).create(
                    clinic_id=clinic_id,
                    screening=screening,
                    action="screening.pdf_stored",
                    at=at,
                    detail=detail,
                    previous_sha256=previous,
                    sha256=digest,
                )
                previous = digest


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0007_signed_pdf_render_and_pdf_fill"),
        ("clinic", "__first__"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_sha256",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sha256",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic", "id"], name="audit_clinic_chain"),
        ),
        migrations.RunPython(hash_existing_events, migrations.RunPython.noop),
    ]
