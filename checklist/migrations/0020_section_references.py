"""Section introductions cite their sources, as questions do (``Section.references``).

The content files held these citations already (``references`` on a section); only the loader's
parsed file kept them. A version installed before this migration gets its sections' citations from
the content file of the same number, where the section's introduction is the file's text, so that
``load_checklist`` finds the installed version equal to its file again. A version whose file cites
none (v1) gets none: its pages, records and PDFs stay as they were.
"""

from pathlib import Path

import yaml
from django.db import migrations, models

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
REFERENCE_FIELDS = ("title", "publisher", "date", "url", "accessed")


def _same_text(a: str, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def _content(number: int) -> dict | None:
    path = CONTENT_DIR / f"v{number}.yaml"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def reference_for(Reference, entries: dict, code: str):
    """The library's row for ``code``, added from the file when the library lacks it (as the loader would)."""
    found = Reference.objects.filter(code=code).first()
    if found is not None or code not in entries:
        return found
    entry = entries[code]
    values = {name: str(entry.get(name) or "") for name in REFERENCE_FIELDS}
    return Reference.objects.create(code=code, **values)


def fill_section_references(apps, schema_editor):
    """Historical models have none of the content locks, so published versions take their citations."""
    ChecklistVersion = apps.get_model("checklist", "ChecklistVersion")
    Reference = apps.get_model("checklist", "Reference")
    Section = apps.get_model("checklist", "Section")
    for version in ChecklistVersion.objects.order_by("number"):
        raw = _content(version.number)
        if not raw:
            continue
        entries = {str(r["code"]): r for r in raw.get("references") or []}
        for item in raw.get("sections") or []:
            codes = item.get("references") or []
            section = Section.objects.filter(version=version, code=item.get("code")).first()
            if not codes or section is None or not _same_text(section.patient_intro, item.get("patient_intro", "")):
                continue
            refs = [reference_for(Reference, entries, str(code)) for code in codes]
            section.references.set([r for r in refs if r is not None])


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0019_intended_use_neutral_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="section",
            name="references",
            field=models.ManyToManyField(
                blank=True,
                help_text="The sources of the patient introduction.",
                related_name="sections",
                to="checklist.reference",
            ),
        ),
        migrations.RunPython(fill_section_references, migrations.RunPython.noop),
    ]
