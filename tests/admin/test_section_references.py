"""The sources of a section's introduction in the admin: picked on a draft's section, shown read
only on a published one."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from checklist.demo import demo_people
from checklist.models import Reference, Section
from checklist.services.checklist_versions import checklist_version_copy
from tests.conftest import PASSWORD, login_verified


@pytest.fixture
def editor_client(client, db):
    login_verified(client, demo_people(PASSWORD)[3])
    return client


def section_form(section: Section, references: list[Reference]) -> dict:
    return {
        "version": section.version_id,
        "position": section.position,
        "code": section.code,
        "title": section.title,
        "clinician_guidance": section.clinician_guidance,
        "patient_intro": section.patient_intro,
        "references": [r.pk for r in references],
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }


def test_a_published_sections_page_lists_its_introductions_sources_read_only(editor_client, version_v2):
    section = Section.objects.filter(version=version_v2).order_by("position").first()
    assert section.references.exists()
    page = editor_client.get(f"/admin/checklist/section/{section.pk}/change/").content.decode()
    for reference in section.references.all():
        assert escape(str(reference)) in page
    assert 'name="references"' not in page  # read only


def test_an_editor_picks_the_sources_of_a_drafts_introduction(editor_client, version_v2):
    first = Section.objects.get(version=version_v2, position=1)
    published_cites = sorted(first.references.values_list("code", flat=True))
    draft = checklist_version_copy(version=version_v2)
    section = Section.objects.filter(version=draft).order_by("position").first()
    # The copy keeps the published version's citations.
    assert sorted(section.references.values_list("code", flat=True)) == published_cites
    assert 'name="references"' in editor_client.get(f"/admin/checklist/section/{section.pk}/change/").content.decode()
    picked = list(Reference.objects.filter(code__in=["seed-faq", "seed-myths-article"]))
    response = editor_client.post(f"/admin/checklist/section/{section.pk}/change/", section_form(section, picked))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(r.code for r in section.references.all()) == ["seed-faq", "seed-myths-article"]
    published = Section.objects.get(version=version_v2, position=1)
    assert sorted(published.references.values_list("code", flat=True)) == published_cites
