"""A draft started under v1 when the newest content file is published: its overview says v1 is
retired, the clinician moves it, and the page lists what to ask the patient again. What to expect
is worked out from the two content files, not from any one version's wording."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from checklist.content_schema import CONTENT_DIR
from checklist.management.commands.load_checklist import content_file_number
from checklist.models import ChecklistVersion, Screening
from checklist.selectors import checklist_spec
from checklist.services.screenings import AnswerInput, screening_answers_save
from checklist.services.version_moves import screening_carry_over_plan
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
NEWEST = max(content_file_number(p) for p in CONTENT_DIR.glob("v*.yaml"))


def _pick_dropped_choices(screening: Screening, newest: ChecklistVersion, user) -> None:
    """Where the newest version no longer offers a v1 choice, pick it: an answer to ask again."""
    old, new = checklist_spec(screening.version), checklist_spec(newest)
    for section in old.sections:
        answers = {}
        for question in section.questions:
            now = new.questions_by_code.get(question.code)
            if question.answer_type == "single" and now is not None:
                dropped = [c.value for c in question.choices if c.value not in {n.value for n in now.choices}]
                if dropped:
                    answers[question.code] = AnswerInput(dropped[0])
        if answers:
            screening_answers_save(screening=screening, section_code=section.code, answers=answers, user=user)


@pytest.mark.skipif(NEWEST < 2, reason="only one content file")
def test_a_draft_under_v1_moves_to_the_newest_version_and_shows_what_to_ask_again(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility, artifacts_dir
):
    clinic, nina, _omar = clinic_people
    draft = make_screening_for_browser(clinic, nina, signed=False, profile="clean", patient_name="Vera Version")
    call_command("load_checklist", verbosity=0)
    newest = ChecklistVersion.objects.get(number=NEWEST)
    _pick_dropped_choices(draft, newest, nina)
    call_command("publish_checklist", str(NEWEST), verbosity=0)
    plan = screening_carry_over_plan(Screening.objects.get(pk=draft.pk))
    assert plan.to_ask_codes, "the newest version changes nothing a v1 draft answered"
    to_ask = [q.prompt for q in (*plan.ask_again, *plan.new_questions)]

    sign_in(page, live_server, "nina")
    page.get_by_role("link", name="Vera Version").click()
    notice = page.get_by_role("region", name="Started under checklist v1, which is retired")
    expect(notice).to_contain_text("You can finish it under v1 until")
    expect(page.get_by_role("link", name="Continue:")).to_be_visible()
    check_accessibility(page, "overview of a draft under a retired version")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "version-move-offer.png"), full_page=True)

    notice.get_by_role("button", name=f"Move to checklist v{NEWEST}").click()
    expect(page.get_by_role("status").filter(has_text="Moved to the published checklist")).to_be_visible()
    asked = page.get_by_role("region", name=f"To ask again after the move from v1 to v{NEWEST}")
    for prompt in to_ask:
        expect(asked.get_by_role("link", name=prompt)).to_be_visible()
    expect(page.get_by_role("region", name="Started under checklist v1, which is retired")).to_have_count(0)
    check_accessibility(page, "overview after the move")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "version-move-done.png"), full_page=True)
    draft.refresh_from_db()
    assert draft.version == newest
