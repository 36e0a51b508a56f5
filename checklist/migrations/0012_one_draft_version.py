"""At most one draft checklist version at a time (``checklist_one_draft_version``).

A database with several drafts already stops here with their numbers: an editor publishes or
deletes all but one in the admin, then migrates again. Nothing is deleted for them.
"""

from django.db import migrations, models


def refuse_several_drafts(apps, schema_editor):
    ChecklistVersion = apps.get_model("checklist", "ChecklistVersion")
    drafts = list(
        ChecklistVersion.objects.using(schema_editor.connection.alias)
        .filter(status="draft")
        .order_by("number")
        .values_list("number", flat=True)
    )
    if len(drafts) > 1:
        numbers = ", ".join(f"v{n}" for n in drafts)
        raise RuntimeError(
            f"Several draft checklist versions exist ({numbers}); at most one may. "
            "Publish or delete all but one in the admin, then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0011_flag_resolutions_and_cosign"),
    ]

    operations = [
        migrations.RunPython(refuse_several_drafts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="checklistversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")), fields=("status",), name="checklist_one_draft_version"
            ),
        ),
    ]
