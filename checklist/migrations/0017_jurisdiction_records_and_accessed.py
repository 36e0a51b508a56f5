"""Jurisdiction content per checklist version.

A jurisdiction keeps its identity (code, name, order), which screenings and clinics point at; what
the checklist says about it moves into a record per version. Every existing version gets a record
copied from today's row, so every read model, record and PDF of those versions stays as it was.
References get an "accessed" date for web pages (empty for every existing reference).
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

CONTENT_FIELDS = (
    "regulator",
    "summary",
    "no_approved_products",
    "bans_human_derived_cosmetics",
    "report_name",
    "report_url",
    "report_phone",
    "report_instructions",
    "last_reviewed",
)


def copy_jurisdictions_into_every_version(apps, schema_editor):
    """Historical models have none of the content locks, so published versions take their records."""
    ChecklistVersion = apps.get_model("checklist", "ChecklistVersion")
    Jurisdiction = apps.get_model("checklist", "Jurisdiction")
    JurisdictionRecord = apps.get_model("checklist", "JurisdictionRecord")
    jurisdictions = list(Jurisdiction.objects.prefetch_related("references"))
    for version in ChecklistVersion.objects.order_by("number"):
        for jurisdiction in jurisdictions:
            record = JurisdictionRecord.objects.create(
                version=version,
                jurisdiction=jurisdiction,
                **{name: getattr(jurisdiction, name) for name in CONTENT_FIELDS},
            )
            record.references.set(jurisdiction.references.all())


def copy_newest_record_back(apps, schema_editor):
    """Backwards: the shared row takes the newest version's record (the one patients saw last)."""
    Jurisdiction = apps.get_model("checklist", "Jurisdiction")
    JurisdictionRecord = apps.get_model("checklist", "JurisdictionRecord")
    for jurisdiction in Jurisdiction.objects.all():
        record = JurisdictionRecord.objects.filter(jurisdiction=jurisdiction).order_by("-version__number").first()
        if record is None:
            continue
        for name in CONTENT_FIELDS:
            setattr(jurisdiction, name, getattr(record, name))
        jurisdiction.save()
        jurisdiction.references.set(record.references.all())


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0016_rule_conditions_before_and_missing"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="accessed",
            field=models.CharField(
                blank=True,
                help_text="For a web page: when its content was checked (not when it was published).",
                max_length=10,
                validators=[django.core.validators.RegexValidator("^\\d{4}-\\d{2}-\\d{2}$", "Use YYYY-MM-DD.")],
            ),
        ),
        migrations.CreateModel(
            name="JurisdictionRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("regulator", models.CharField(max_length=200)),
                ("summary", models.TextField(help_text="Plain-language regulatory position for the patient.")),
                (
                    "no_approved_products",
                    models.BooleanField(default=True, help_text="No exosome product is approved here for these uses."),
                ),
                ("bans_human_derived_cosmetics", models.BooleanField(default=False)),
                ("report_name", models.CharField(blank=True, max_length=200)),
                ("report_url", models.URLField(blank=True, max_length=300)),
                ("report_phone", models.CharField(blank=True, max_length=50)),
                ("report_instructions", models.TextField(blank=True)),
                ("last_reviewed", models.DateField()),
                (
                    "jurisdiction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="records", to="checklist.jurisdiction"
                    ),
                ),
                (
                    "references",
                    models.ManyToManyField(blank=True, related_name="jurisdiction_records", to="checklist.reference"),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="jurisdiction_records",
                        to="checklist.checklistversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "jurisdiction record",
                "ordering": ["version", "jurisdiction__position", "jurisdiction__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "jurisdiction"), name="checklist_jurisdiction_record_unique"
                    )
                ],
            },
        ),
        # Nullable first, so that going back can add the columns to existing rows and fill them.
        migrations.AlterField(
            model_name="jurisdiction", name="regulator", field=models.CharField(max_length=200, null=True)
        ),
        migrations.AlterField(model_name="jurisdiction", name="summary", field=models.TextField(null=True)),
        migrations.AlterField(model_name="jurisdiction", name="last_reviewed", field=models.DateField(null=True)),
        migrations.RunPython(copy_jurisdictions_into_every_version, copy_newest_record_back),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="bans_human_derived_cosmetics",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="last_reviewed",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="no_approved_products",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="references",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="regulator",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="report_instructions",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="report_name",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="report_phone",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="report_url",
        ),
        migrations.RemoveField(
            model_name="jurisdiction",
            name="summary",
        ),
    ]
