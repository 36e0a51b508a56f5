"""v2 cites v1's web pages under codes of their own, each with the day v2's review checked it.

The library is shared by every version and a reference a published version cites never changes,
so v1's entries keep no accessed date and v1 prints as before. v2's content file cites new entries
(the same page, with ``accessed``) instead; the ISSCR teach-back citation moves to the ISSCR
patient page v2 cites elsewhere. A v2 installed from the file before this change gets the same
citations here, so ``load_checklist`` finds it equal to its file. Signed v2 screenings keep what
their frozen records print; v1's rows are not touched.
"""

from pathlib import Path

import yaml
from django.db import migrations

CONTENT = Path(__file__).resolve().parent.parent / "content" / "v2.yaml"
VERSION = 2
SUFFIX = "-checked-2026-12"
RECITED = {
    code: code + SUFFIX
    for code in (
        "ema-adrreports",
        "eohu-exosomes-advisory",
        "eu-cosmetics-regulation-1223-2009",
        "fda-2019-exosome-notice",
        "fda-2020-consumer-alert",
        "fda-2020-reporting-regenerative",
        "fda-2021-patient-information",
        "health-canada-report-side-effect",
        "mhra-yellow-card",
        "tga-hct-advertising",
        "tga-report-a-problem",
    )
} | {"isscr-closer-look": "isscr-closer-look-what-to-ask"}
REFERENCE_FIELDS = ("title", "publisher", "date", "url", "accessed")
# Each kind of version content that cites, and the path from its row to its version.
CITING = (
    ("Section", "version"),
    ("Question", "section__version"),
    ("Choice", "question__section__version"),
    ("RiskRule", "version"),
    ("KeyFact", "version"),
    ("Acknowledgement", "version"),
    ("TeachBackQuestion", "version"),
    ("JurisdictionRecord", "version"),
)


def _reference(Reference, entries: dict, code: str):
    found = Reference.objects.filter(code=code).first()
    if found is not None or code not in entries:
        return found
    values = {name: str(entries[code].get(name) or "") for name in REFERENCE_FIELDS}
    return Reference.objects.create(code=code, **values)


def recite_v2(apps, schema_editor):
    """Historical models have none of the content locks, so a published v2 takes the new citations."""
    ChecklistVersion = apps.get_model("checklist", "ChecklistVersion")
    Reference = apps.get_model("checklist", "Reference")
    version = ChecklistVersion.objects.filter(number=VERSION).first()
    if version is None or not CONTENT.exists():
        return
    with CONTENT.open(encoding="utf-8") as fh:
        content = yaml.safe_load(fh)
    # Only a v2 installed from the content file; a version 2 made otherwise (a draft copied from
    # v1 in the admin, say) is not v2's content and keeps its citations.
    if version.change_notes.strip() != str(content.get("change_notes") or "").strip():
        return
    entries = {str(r["code"]): r for r in content.get("references") or []}
    for old_code, new_code in RECITED.items():
        old = Reference.objects.filter(code=old_code).first()
        if old is None:
            continue
        new = None
        for model_name, path in CITING:
            model = apps.get_model("checklist", model_name)
            for row in model.objects.filter(**{path: version, "references": old}):
                new = new or _reference(Reference, entries, new_code)
                if new is None:
                    return  # the file no longer has the entry: leave v2 for load_checklist to report
                row.references.remove(old)
                row.references.add(new)


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0020_section_references"),
    ]

    operations = [
        migrations.RunPython(recite_v2, migrations.RunPython.noop),
    ]
