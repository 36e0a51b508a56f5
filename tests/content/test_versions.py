"""Checklist versions: published content is frozen, publishing retires, copying makes a draft."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from checklist.models import ChecklistVersion, Choice, PublishedVersionLocked, Question, Section
from checklist.selectors import checklist_spec
from checklist.services.checklist_versions import checklist_version_copy, checklist_version_publish
from tests.conftest import login_verified


def test_a_published_version_refuses_edits(version):
    question = Question.objects.filter(section__version=version).first()
    question.prompt = "Edited"
    with pytest.raises(PublishedVersionLocked):
        question.save()
    choice = Choice.objects.filter(question__section__version=version).first()
    with pytest.raises(PublishedVersionLocked):
        choice.delete()
    version.change_notes = "Edited"
    with pytest.raises(PublishedVersionLocked):
        version.save()
    with pytest.raises(PublishedVersionLocked):
        Section.objects.create(version=version, code="extra", title="Extra", position=99)


def test_copying_makes_an_editable_draft_with_the_same_content(version):
    draft = checklist_version_copy(version=version)
    assert draft.status == ChecklistVersion.Status.DRAFT
    assert draft.number == version.number + 1
    assert checklist_spec(draft).same_version_content(checklist_spec(version))
    question = Question.objects.filter(section__version=draft).first()
    question.prompt = "Reworded in the draft"
    question.save()
    assert Question.objects.filter(section__version=version, prompt="Reworded in the draft").count() == 0


def test_publishing_retires_the_previous_version(version):
    draft = checklist_version_copy(version=version)
    checklist_version_publish(version=draft)
    version.refresh_from_db()
    draft.refresh_from_db()
    assert version.status == ChecklistVersion.Status.RETIRED
    assert draft.status == ChecklistVersion.Status.PUBLISHED
    assert draft.published_at is not None
    with pytest.raises(PublishedVersionLocked):
        checklist_version_publish(version=version)


def test_the_database_allows_only_one_published_version(version):
    draft = ChecklistVersion.objects.create(number=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistVersion.objects.filter(pk=draft.pk).update(status="published", published_at=version.published_at)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.com", "pw-editor-123456")


def test_the_admin_shows_a_published_version_read_only(client, editor, version):
    login_verified(client, editor)
    question = Question.objects.filter(section__version=version).first()
    response = client.get(reverse("admin:checklist_question_change", args=[question.pk]))
    assert response.status_code == 200
    assert b'name="prompt"' not in response.content  # shown as text, not as an input
    response = client.post(reverse("admin:checklist_question_change", args=[question.pk]), {"prompt": "x"})
    assert response.status_code == 403


def test_the_admin_copy_and_publish_actions(client, editor, version):
    login_verified(client, editor)
    url = reverse("admin:checklist_checklistversion_changelist")
    response = client.post(url, {"action": "copy_as_new_draft", "_selected_action": [version.pk]}, follow=True)
    assert "Copied v1 to draft v2" in response.content.decode()
    draft = ChecklistVersion.objects.get(number=2)
    question = Question.objects.filter(section__version=draft).first()
    response = client.get(reverse("admin:checklist_question_change", args=[question.pk]))
    assert b'name="prompt"' in response.content
    response = client.post(url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    page = response.content.decode()
    assert "Publish checklist v2?" in page  # the confirmation, with what changes
    confirmed = re.search(r'name="confirmed" value="([^"]+)"', page).group(1)
    data = {"action": "publish", "_selected_action": [draft.pk], "confirmed": confirmed}
    response = client.post(url, data, follow=True)
    assert "Published v2" in response.content.decode()
    version.refresh_from_db()
    assert version.status == ChecklistVersion.Status.RETIRED
