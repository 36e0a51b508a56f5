"""Teach-back before signing (issue 14), in Chromium by visible labels, with axe and the Nu checker:
a wrong answer shows the explanation to read together and asks again; right, then signed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from checklist.demo import answer_all_sections
from checklist.models import TeachBackAnswer
from checklist.services.checklist_versions import checklist_content_publish
from checklist.services.screenings import screening_start
from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_valid_html
from tests.browser.test_walkthroughs import draw_signature
from tests.conftest import PASSWORD, content_with_teach_back, start_data

pytestmark = pytest.mark.django_db(transaction=True)

RIGHT = {
    "Is this a stem-cell treatment?": "No. Exosomes are not cells.",
    "Do we know what this treatment does to your body in the long run?": "No, no one knows the long-term effects yet.",
    "Whom do you call if you feel unwell after the treatment?": re.compile(r"^The clinic: "),
    "If you sign today, can you still change your mind?": "Yes. I can say no at any time, even after I sign.",
}
APPROVAL = "Has the medicines regulator where you live approved this product for this use?"


@pytest.fixture
def ready_for_teach_back(clinic_people):
    checklist_content_publish(content=content_with_teach_back())
    clinic, nina, _omar = clinic_people
    screening = screening_start(clinic=clinic, clinician=nina, data=start_data(patient_name="Tess Back"))
    return answer_all_sections(screening, "clean", nina)


def question(page, prompt: str):
    return page.get_by_role("group", name=re.compile(re.escape(prompt)))


def test_teach_back_answered_wrong_then_right_then_signed(
    page, live_server, ready_for_teach_back, check_accessibility, artifacts_dir, tmp_path
):
    screening = ready_for_teach_back
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/review/")
    page.get_by_role("link", name="Continue to teach-back").click()
    expect(page.get_by_role("heading", name="Teach-back: check what the patient understood")).to_be_visible()
    check_accessibility(page, "teach-back")

    question(page, APPROVAL).get_by_label("Yes, it is approved.").check()
    for prompt, answer in RIGHT.items():
        question(page, prompt).get_by_label(answer).check()
    page.get_by_role("button", name="Check the answers").click()

    expect(page.get_by_text("Not right yet. Read the explanation together")).to_be_visible()
    wrong = question(page, APPROVAL)
    expect(wrong.get_by_text("Not right yet: read this together")).to_be_visible()
    expect(wrong.get_by_text(re.compile("U.S. Food and Drug Administration"))).to_be_visible()
    expect(wrong.get_by_text("The patient answered: “Yes, it is approved.”")).to_be_visible()
    expect(page.get_by_text("Right:", exact=True)).to_have_count(4)
    check_accessibility(page, "teach-back, a wrong answer")
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "teach-back-wrong-tablet.png"), full_page=True)
    (tmp_path / "teach-back.html").write_text(page.content())
    # The consent is not open yet: its link sends the clinician back here.
    page.goto(f"{live_server.url}/screenings/{screening.pk}/consent/")
    expect(page.get_by_text("1 teach-back question still needs a right answer")).to_be_visible()

    question(page, APPROVAL).get_by_label("No, it is not approved for this use.").check()
    page.get_by_role("button", name="Check the answers").click()
    expect(page.get_by_text("Every answer is right. The consent can be signed now.")).to_be_visible()

    statements = page.get_by_role("group", name="Please read each statement and tick it")
    for box in statements.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("I want to wait and think about it").check()
    page.get_by_label("Patient: type your full name").fill("Tess Back")
    draw_signature(page)
    page.get_by_label(re.compile("^I explained each finding")).check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()

    approval = TeachBackAnswer.objects.get(screening=screening, question_code="approval")
    assert (approval.first_answer, approval.final_answer, approval.tries) == ("yes", "no", 2)
    assert TeachBackAnswer.objects.filter(screening=screening, tries=1).count() == 4
    assert_valid_html([tmp_path / "teach-back.html"])
