"""Content editing as demo-editor does it in the admin: every row says its version, one draft at
a time copied from the published version only, and publishing shows what changes first."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import IntegrityError, transaction

from checklist.demo import demo_people
from checklist.models import Acknowledgement, ChecklistVersion, Choice, Question, RiskRule, Screening
from checklist.services.checklist_versions import DraftRefused, checklist_version_copy, checklist_version_publish
from tests.conftest import PASSWORD, login_verified

VERSIONS = "/admin/checklist/checklistversion/"
QUESTIONS = "/admin/checklist/question/"


@pytest.fixture
def editor_client(client, db):
    _clinic, _clinician, _admin, editor = demo_people(PASSWORD)
    login_verified(client, editor)
    return client


@pytest.fixture
def v1(db) -> ChecklistVersion:
    return ChecklistVersion.objects.get(number=1, status=ChecklistVersion.Status.PUBLISHED)


def action(client, name: str, version: ChecklistVersion, **extra):
    return client.post(VERSIONS, {"action": name, "_selected_action": [version.pk], **extra}, follow=True)


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def confirmation_of(response) -> str:
    return re.search(r'name="confirmed" value="([^"]+)"', response.content.decode()).group(1)


def test_every_question_row_names_its_version_and_the_list_filters_by_it(editor_client, v1):
    draft = checklist_version_copy(version=v1)
    listed = page_text(editor_client.get(QUESTIONS))
    assert "v1 (published)" in listed and "v2 (draft)" in listed
    only_draft = page_text(editor_client.get(QUESTIONS, {"version": draft.pk}))
    assert "v2 (draft)" in only_draft and "v1 (published)" not in only_draft.split("By version")[0]
    count = Question.objects.filter(section__version=draft).count()
    assert f"{count} questions" in only_draft
    for url in ("/admin/checklist/section/", "/admin/checklist/riskrule/"):
        text = page_text(editor_client.get(url, {"version": v1.pk}))
        assert "v1 (published)" in text and "By version" in text, url


def test_only_the_published_version_is_copied_and_only_once(editor_client, v1):
    response = action(editor_client, "copy_as_new_draft", v1)
    assert "Copied v1 to draft v2." in page_text(response)
    draft = ChecklistVersion.objects.get(number=2)
    assert draft.status == ChecklistVersion.Status.DRAFT

    again = page_text(action(editor_client, "copy_as_new_draft", v1))
    assert "Draft v2 already exists: edit it, publish it or delete it before starting another." in again
    of_draft = page_text(action(editor_client, "copy_as_new_draft", draft))
    assert "Checklist v2 is draft: only the published version can be copied as a new draft." in of_draft
    assert ChecklistVersion.objects.count() == 2


def test_a_retired_version_is_never_copied(v1):
    draft = checklist_version_copy(version=v1)
    checklist_version_publish(version=draft)
    v1.refresh_from_db()
    with pytest.raises(DraftRefused, match="v1 is retired"):
        checklist_version_copy(version=v1)


def test_the_database_holds_at_most_one_draft(v1):
    ChecklistVersion.objects.create(number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistVersion.objects.create(number=8)


def test_no_blank_draft_can_be_added_in_the_admin(editor_client, v1):
    assert editor_client.get(f"{VERSIONS}add/").status_code == 403
    assert 'href="/admin/checklist/checklistversion/add/"' not in editor_client.get(VERSIONS).content.decode()


def _edit_draft(draft: ChecklistVersion) -> dict[str, str]:
    """A reworded question, a new choice, a removed rule and a reworded statement."""
    question = Question.objects.filter(section__version=draft, answer_type="yes_no_unsure").order_by("pk").first()
    question.prompt = "Has the maker shown you the donor screening results?"
    question.save()
    Choice.objects.create(
        question=question,
        value="refused",
        label="The maker refused",
        position=9,
        level="red_flag",
        clinician_flag="The maker refused to show its donor screening.",
        patient_flag="The maker would not show how donors were screened.",
        ask="Ask the maker for the donor screening records.",
    )
    rule = RiskRule.objects.filter(version=draft).order_by("pk").first()
    rule_code = rule.code
    rule.delete()
    statement = Acknowledgement.objects.filter(version=draft).order_by("pk").first()
    statement.text = "I understand that this product is not approved where I live."
    statement.save()
    return {"question": question.code, "rule": rule_code, "statement": statement.code}


def test_publishing_shows_the_changes_and_the_open_screenings_first(editor_client, v1, make_screening, clinic_a, alice):
    open_before = Screening.objects.filter(
        version=v1, status__in=[Screening.Status.DRAFT, Screening.Status.AWAITING_SIGNATURE]
    ).count()
    make_screening(clinic_a, alice)
    make_screening(clinic_a, alice, answers="clean")
    make_screening(clinic_a, alice, answers="clean", signed=True)
    draft = checklist_version_copy(version=v1)
    edited = _edit_draft(draft)

    confirmation = action(editor_client, "publish", draft)
    text = page_text(confirmation)
    assert confirmation.status_code == 200
    assert "Publish checklist v2?" in text
    assert f"{open_before + 2} open screenings (drafts or awaiting signature) were started under v1." in text
    assert "4 changes from v1" in text
    assert f"{edited['question']} Changed prompt" in text
    assert "Has the maker shown you the donor screening results?" in text
    assert f"{edited['question']}: refused Added The maker refused" in text
    assert f"{edited['rule']} Removed" in text
    assert f"{edited['statement']} Changed text" in text
    draft.refresh_from_db()
    assert draft.status == ChecklistVersion.Status.DRAFT  # nothing published by looking

    published = action(editor_client, "publish", draft, confirmed=confirmation_of(confirmation))
    assert "Published v2." in page_text(published)
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert draft.status == ChecklistVersion.Status.PUBLISHED and v1.status == ChecklistVersion.Status.RETIRED


def test_a_confirmation_of_other_content_publishes_nothing(editor_client, v1):
    draft = checklist_version_copy(version=v1)
    shown = action(editor_client, "publish", draft)
    question = Question.objects.filter(section__version=draft).order_by("pk").first()
    question.prompt = "Edited after the page was shown"
    question.save()
    for confirmed in (confirmation_of(shown), str(draft.pk), f"{v1.pk}:{confirmation_of(shown).split(':')[1]}"):
        text = page_text(action(editor_client, "publish", draft, confirmed=confirmed))
        assert "The draft changed after this page was shown, so nothing was published." in text, confirmed
        assert "Edited after the page was shown" in text
        draft.refresh_from_db()
        assert draft.status == ChecklistVersion.Status.DRAFT


def test_publishing_a_published_version_is_refused_without_a_page(editor_client, v1):
    text = page_text(action(editor_client, "publish", v1))
    assert "Checklist v1 is published; only a draft can be published." in text
