"""Published content is read only through every door: the admin, the models and the ORM."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from checklist.demo import demo_people
from checklist.models import (
    Acknowledgement,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    JurisdictionRecord,
    KeyFact,
    PublishedVersionLocked,
    Question,
    Reference,
    RiskRule,
    Section,
)
from checklist.services.checklist_versions import checklist_version_copy
from tests.conftest import PASSWORD, login_verified


@pytest.fixture
def editor_client(client, db):
    _clinic, _clinician, _admin, editor = demo_people(PASSWORD)
    login_verified(client, editor)
    return client


@pytest.fixture
def v1(db) -> ChecklistVersion:
    return ChecklistVersion.objects.get(number=1, status=ChecklistVersion.Status.PUBLISHED)


def citation_counts() -> dict[str, int]:
    return {
        model.__name__: model.references.through.objects.count()
        for model in (Section, Question, Choice, RiskRule, KeyFact, Acknowledgement, JurisdictionRecord)
    }


def most_cited_reference(v1) -> Reference:
    """The reference whose deletion did the most harm when the admin allowed it."""
    return max(Reference.objects.all(), key=lambda r: sum(r.citing_rows().values()))


def test_deleting_a_reference_of_v1_in_the_admin_changes_nothing(editor_client, v1):
    reference = most_cited_reference(v1)
    before = citation_counts()
    url = f"/admin/checklist/reference/{reference.pk}/delete/"
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    response = editor_client.post(
        "/admin/checklist/reference/",
        {"action": "delete_selected", "_selected_action": [reference.pk], "post": "yes"},
    )
    assert response.status_code == 200 and b"Cannot delete" in response.content
    assert Reference.objects.filter(pk=reference.pk).exists()
    assert citation_counts() == before


def test_editing_a_reference_of_v1_in_the_admin_is_refused(editor_client, v1):
    reference = most_cited_reference(v1)
    page = editor_client.get(f"/admin/checklist/reference/{reference.pk}/change/")
    assert page.status_code == 200 and b'name="title"' not in page.content  # shown read only
    response = editor_client.post(
        f"/admin/checklist/reference/{reference.pk}/change/",
        {"code": reference.code, "title": "Edited title", "publisher": reference.publisher, "date": reference.date},
    )
    assert response.status_code == 403
    assert Reference.objects.get(pk=reference.pk).title == reference.title


def test_a_jurisdiction_of_v1_cannot_be_edited_or_deleted_in_the_admin(editor_client, v1):
    jurisdiction = Jurisdiction.objects.get(code="US")
    assert (
        editor_client.post(f"/admin/checklist/jurisdiction/{jurisdiction.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = editor_client.post(f"/admin/checklist/jurisdiction/{jurisdiction.pk}/change/", {"name": "Elsewhere"})
    assert response.status_code == 403
    assert Jurisdiction.objects.get(pk=jurisdiction.pk).name == jurisdiction.name


def record_form(record: JurisdictionRecord, **changes) -> dict:
    data = {
        "version": record.version_id,
        "jurisdiction": record.jurisdiction_id,
        "regulator": record.regulator,
        "summary": record.summary,
        "no_approved_products": "on" if record.no_approved_products else "",
        "report_name": record.report_name,
        "report_url": record.report_url,
        "report_phone": record.report_phone,
        "report_instructions": record.report_instructions,
        "last_reviewed": record.last_reviewed.isoformat(),
        "references": [r.pk for r in record.references.all()],
        **changes,
    }
    return {k: v for k, v in data.items() if v != ""}


def test_a_jurisdiction_record_of_v1_is_read_only_in_the_admin(editor_client, v1):
    record = JurisdictionRecord.objects.get(version=v1, jurisdiction__code="CA")
    page = editor_client.get(f"/admin/checklist/jurisdictionrecord/{record.pk}/change/")
    assert page.status_code == 200 and b'name="summary"' not in page.content  # shown read only
    response = editor_client.post(
        f"/admin/checklist/jurisdictionrecord/{record.pk}/change/", record_form(record, summary="Edited.")
    )
    assert response.status_code == 403
    assert JurisdictionRecord.objects.get(pk=record.pk).summary == record.summary


def test_a_draft_versions_jurisdiction_record_is_edited_in_the_admin_and_v1_keeps_its_own(editor_client, v1):
    draft = checklist_version_copy(version=v1)
    record = JurisdictionRecord.objects.get(version=draft, jurisdiction__code="CA")
    response = editor_client.post(
        f"/admin/checklist/jurisdictionrecord/{record.pk}/change/", record_form(record, summary="Edited in the draft.")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert JurisdictionRecord.objects.get(pk=record.pk).summary == "Edited in the draft."
    assert JurisdictionRecord.objects.get(version=v1, jurisdiction__code="CA").summary != "Edited in the draft."


def test_a_reference_cited_only_by_a_draft_can_still_be_edited(editor_client, v1):
    draft = checklist_version_copy(version=v1)
    reference = Reference.objects.create(code="draft-only-source", title="Draft source")
    Question.objects.filter(section__version=draft).first().references.add(reference)
    response = editor_client.post(
        f"/admin/checklist/reference/{reference.pk}/change/",
        {"code": reference.code, "title": "Edited title", "publisher": "", "date": ""},
    )
    assert response.status_code == 302
    assert Reference.objects.get(pk=reference.pk).title == "Edited title"
    # Still cited by the draft: deleting it would uncite it there, so the admin lists it as protected.
    page = editor_client.post(f"/admin/checklist/reference/{reference.pk}/delete/", {"post": "yes"})
    assert page.status_code == 200 and b"still cited by 1 questions" in page.content
    assert Reference.objects.filter(pk=reference.pk).exists()


def test_the_models_refuse_to_change_published_library_entries(v1):
    reference = most_cited_reference(v1)
    before = citation_counts()
    reference.title = "Edited below the admin"
    locked = f"Reference '{reference.code}' is cited by checklist v1"
    with pytest.raises(PublishedVersionLocked, match=locked), transaction.atomic():
        reference.save()
    with pytest.raises(PublishedVersionLocked, match="new draft version"), transaction.atomic():
        reference.delete()
    with pytest.raises(ProtectedError, match="still cited"), transaction.atomic():
        Reference.objects.filter(pk=reference.pk).delete()
    jurisdiction = Jurisdiction.objects.get(code="US")
    with pytest.raises(PublishedVersionLocked, match="Jurisdiction US is part of checklist v1"), transaction.atomic():
        jurisdiction.save()
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        jurisdiction.delete()
    record = JurisdictionRecord.objects.get(version=v1, jurisdiction=jurisdiction)
    record.summary = "Edited below the admin"
    with pytest.raises(PublishedVersionLocked, match="v1 is published"), transaction.atomic():
        record.save()
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        record.delete()
    assert JurisdictionRecord.objects.get(pk=record.pk).summary != "Edited below the admin"
    assert citation_counts() == before


def test_the_citations_of_published_content_cannot_change(v1):
    question = Question.objects.filter(section__version=v1, references__isnull=False).first()
    reference = question.references.first()
    before = citation_counts()
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        question.references.remove(reference)
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        question.references.clear()
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        reference.questions.clear()
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        JurisdictionRecord.objects.get(version=v1, jurisdiction__code="US").references.set([])
    with pytest.raises(PublishedVersionLocked), transaction.atomic():
        reference.jurisdiction_records.clear()
    assert citation_counts() == before


def test_an_uncited_reference_can_be_deleted(v1):
    reference = Reference.objects.create(code="unused-source", title="Unused")
    reference.delete()
    assert not Reference.objects.filter(code="unused-source").exists()
