from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_screening_dates(apps, schema_editor):
    Screening = apps.get_model("checklist", "Screening")
    NamePrefix = apps.get_model("checklist", "ScreeningNamePrefix")
    NamePrefix.objects.update(
        created_at=Subquery(Screening.objects.filter(pk=OuterRef("screening_id")).values("created_at")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('checklist', '0005_read_model_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='screeningnameprefix',
            name='created_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_screening_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='screeningnameprefix',
            name='created_at',
            field=models.DateTimeField(help_text="The screening's created_at, so that the lookup is in list order."),
        ),
        migrations.RemoveIndex(
            model_name='screeningnameprefix',
            name='name_prefix_lookup',
        ),
        migrations.AddIndex(
            model_name='screeningnameprefix',
            index=models.Index(fields=['clinic', 'prefix', '-created_at', '-screening'], name='name_prefix_newest_first'),
        ),
        migrations.RemoveIndex(
            model_name='screening',
            name='screening_clinic_patient_ref',
        ),
        migrations.AddIndex(
            model_name='screening',
            index=models.Index(fields=['clinic', 'patient_reference', '-created_at'], name='screening_patient_ref_newest'),
        ),
    ]
