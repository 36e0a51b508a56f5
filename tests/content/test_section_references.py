"""Section introductions cite their sources: stored on the rows, in the read model and the record,
compared between versions, and shown with numbered marks where the introduction is read aloud."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from checklist.content_diff import content_changes
from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.models import ChecklistVersion, PublishedVersionLocked, Reference, Section
from checklist.selectors import checklist_spec, checklist_spec_cache_clear, screening_record, screening_signed_record

V2_FILE = load_content_file(CONTENT_DIR / "v2.yaml")


def test_every_v2_section_introduction_has_its_sources_stored(version_v2):
    sections = list(Section.objects.filter(version=version_v2).prefetch_related("references"))
    assert sections and all(s.patient_intro for s in sections)
    for section in sections:
        stored = sorted(r.code for r in section.references.all())
        assert stored, f"the introduction of {section.code} cites nothing"
        assert tuple(stored) == V2_FILE.section_references[section.code]
    spec = checklist_spec(version_v2)
    assert {s.code: s.references for s in spec.sections} == dict(V2_FILE.section_references)


def test_loading_v2_again_changes_nothing(version_v2):
    call_command("load_checklist", str(CONTENT_DIR / "v2.yaml"), verbosity=0)
    assert checklist_spec(version_v2).same_version_content(V2_FILE.checklist)
    assert ChecklistVersion.objects.get(number=2).sections.filter(references__isnull=False).distinct().count() == len(
        V2_FILE.checklist.sections
    )


def test_v1_sections_cite_nothing_and_read_as_before(version):
    assert version.number == 1
    assert not Section.objects.filter(version=version, references__isnull=False).exists()
    assert all(s.references == () for s in checklist_spec(version).sections)


def test_every_v2_step_page_shows_its_introductions_sources_with_marks(
    version_v2, make_screening, clinic_a, alice, alice_client
):
    screening = make_screening(clinic_a, alice)
    spec = checklist_spec(version_v2)
    for section in spec.sections:
        page = alice_client.get(reverse("checklist:screening-step", args=[screening.pk, section.code]))
        assert page.status_code == 200
        html = page.content.decode()
        intro = re.search(r'<div class="read-aloud section-intro.*?</details>', html, re.S)
        assert intro, f"no cited introduction on the {section.code} page"
        numbers = ", ".join(str(n) for n in range(1, len(section.references) + 1))
        assert f'<span class="key-info-cite">[{numbers}]</span>' in intro.group(0)
        for ref in spec.resolve(section.references):
            assert ref.title in intro.group(0), f"{section.code} does not list {ref.code}"


def test_a_v1_step_page_shows_the_introduction_without_a_source_list(make_screening, clinic_a, alice, alice_client):
    screening = make_screening(clinic_a, alice)
    section = checklist_spec(screening.version).sections[0]
    html = alice_client.get(reverse("checklist:screening-step", args=[screening.pk, section.code])).content.decode()
    assert section.patient_intro in html
    assert "Sources for this page" not in html
    assert "key-info-cite" not in html


def test_the_signed_record_keeps_the_sources_of_the_introductions(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    record = screening_signed_record(screening)
    for section in record.checklist.sections:
        assert section.references
        assert set(section.references) <= set(record.checklist.references)


def test_a_reference_cited_by_a_published_introduction_is_frozen(version_v2):
    code = V2_FILE.section_references["source"][0]
    cited = Reference.objects.get(code=code)
    assert "section introductions" in cited.citing_rows()
    cited.title = "Changed"
    with pytest.raises(PublishedVersionLocked):
        cited.save()
    section = Section.objects.get(version=version_v2, code="source")
    with pytest.raises(PublishedVersionLocked):
        section.references.clear()


def test_the_content_diff_lists_a_changed_introduction_citation(version_v2):
    spec = checklist_spec(version_v2)
    first = spec.sections[0]
    edited = dataclasses.replace(
        spec, sections=(dataclasses.replace(first, references=first.references[:-1]), *spec.sections[1:])
    )
    changes = [c for c in content_changes(spec, edited) if c.kind == "section"]
    assert [(c.name, c.change, [f.field for f in c.fields]) for c in changes] == [
        (first.code, "changed", ["references"])
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_an_installed_v2_its_introductions_sources_and_leaves_v1_alone(
    version_v2, make_screening, clinic_a, alice
):
    v1 = ChecklistVersion.objects.get(number=1)
    v1_spec = checklist_spec(v1)
    draft = make_screening(clinic_a, alice, answers="clean")
    before = screening_record(draft)
    call_command("migrate", "checklist", "0019_intended_use_neutral_names", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM checklist_section WHERE version_id = %s", [version_v2.pk])
        assert cursor.fetchone()[0] == len(V2_FILE.checklist.sections)
    call_command("migrate", verbosity=0)
    checklist_spec_cache_clear()
    assert checklist_spec(ChecklistVersion.objects.get(number=2)).same_version_content(V2_FILE.checklist)
    assert checklist_spec(ChecklistVersion.objects.get(number=1)) == v1_spec
    assert screening_record(type(draft).objects.get(pk=draft.pk)) == before
