"""Columns named as the read model (checklist.spec) and the content file name them, and a
library revision that keys the cached read model of a published version."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0004_name_search"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="choice", name="checklist_choice_flag_has_text"),
        migrations.RenameField(model_name="question", old_name="why_it_matters", new_name="why"),
        migrations.AlterField(
            model_name="question",
            name="why",
            field=models.TextField(help_text="Why it matters, in plain words for the patient."),
        ),
        migrations.RenameField(model_name="choice", old_name="risk_level", new_name="level"),
        migrations.RenameField(model_name="riskrule", old_name="risk_level", new_name="level"),
        migrations.AddConstraint(
            model_name="choice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("level", "none"),
                    models.Q(
                        models.Q(("clinician_flag", ""), _negated=True),
                        models.Q(("patient_flag", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="checklist_choice_flag_has_text",
            ),
        ),
        migrations.AddField(
            model_name="checklistversion",
            name="library_revision",
            field=models.CharField(
                max_length=32,
                blank=True,
                editable=False,
                help_text="Renewed whenever a reference or jurisdiction changes, so cached read models are rebuilt.",
            ),
        ),
    ]
