"""A content editor copies the published checklist, changes it and publishes it in the admin,
by visible labels: the confirmation page says what changes before anything is published."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from checklist.models import ChecklistVersion, Question
from tests.browser.conftest import VIEWPORTS, sign_in
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(clinic_people):
    clinic, _nina, _omar = clinic_people
    user = make_member(clinic, "edna")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="checklist"))
    return user, TOTPDevice.objects.create(user=user, name="Editor's authenticator", confirmed=True)


def run_action(page, version_label: str, action_label: str) -> None:
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=version_label, exact=True))
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_copy_change_and_publish_with_the_changes_shown_first(
    page, live_server, editor, artifacts_dir, check_accessibility
):
    _user, device = editor
    sign_in(page, live_server, "edna", device=device)
    page.goto(f"{live_server.url}/admin/checklist/checklistversion/")
    run_action(page, "1", "Copy the published version as the new draft")
    expect(page.get_by_text("Copied v1 to draft v2.")).to_be_visible()
    run_action(page, "1", "Copy the published version as the new draft")
    expect(page.get_by_text("Draft v2 already exists")).to_be_visible()

    draft = ChecklistVersion.objects.get(number=2)
    question = Question.objects.filter(section__version=draft).order_by("pk").first()
    question.prompt = "Reworded for the draft"
    question.save()

    run_action(page, "2", "Publish… (shows what changes first)")
    expect(page.get_by_role("heading", name="Publish checklist v2?")).to_be_visible()
    expect(page.get_by_role("heading", name="1 change from v1")).to_be_visible()
    changes = page.get_by_role("table", name="Question")
    expect(changes).to_contain_text(question.code)
    expect(changes).to_contain_text("Reworded for the draft")
    expect(page.get_by_text("open screenings (drafts or awaiting signature) were started under v1")).to_be_visible()
    check_accessibility(page, "publish confirmation")
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"admin-publish-confirmation-{label}.png"), full_page=True)
    assert ChecklistVersion.objects.get(number=2).status == ChecklistVersion.Status.DRAFT

    page.get_by_role("button", name="Yes, publish v2").click()
    expect(page.get_by_text("Published v2.")).to_be_visible()
    assert ChecklistVersion.objects.get(number=2).status == ChecklistVersion.Status.PUBLISHED

    page.goto(f"{live_server.url}/admin/checklist/question/")
    expect(page.get_by_role("cell", name="v2 (published)").first).to_be_visible()
    expect(page.get_by_role("cell", name="v1 (retired)").first).to_be_visible()
