"""Screenings under a retired checklist version, by visible labels: a draft under v1 moved to the
next version shows what to ask again; the re-consent list starts a pre-filled screening. The next
version is built from v1 in the test (tests/versions_fixture.py), not read from checklist/content."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checklist.models import Screening
from checklist.services.screenings import AnswerInput, screening_answers_save
from checklist.services.version_moves import screening_carry_over_plan
from tests.browser.conftest import sign_in
from tests.versions_fixture import build_next_version

pytestmark = pytest.mark.django_db(transaction=True)
NEXT = 2


def _pick(screening: Screening, code: str, value: str, user) -> None:
    section = screening.answers.get(question__code=code).question.section.code
    screening_answers_save(screening=screening, section_code=section, answers={code: AnswerInput(value)}, user=user)


def test_a_draft_under_v1_moves_to_the_next_version_and_shows_what_to_ask_again(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility, artifacts_dir
):
    clinic, nina, _omar = clinic_people
    draft = make_screening_for_browser(clinic, nina, signed=False, profile="clean", patient_name="Vera Version")
    nxt = build_next_version(NEXT)
    _pick(draft, nxt.renamed_question, nxt.old_value, nina)
    plan = screening_carry_over_plan(Screening.objects.get(pk=draft.pk))
    to_ask = [q.prompt for q in (*plan.ask_again, *plan.new_questions)]
    assert "A question only the next version asks?" in to_ask and len(to_ask) == 2

    sign_in(page, live_server, "nina")
    page.get_by_role("link", name="Vera Version").click()
    notice = page.get_by_role("region", name="Started under checklist v1, which is retired")
    expect(notice).to_contain_text("You can finish it under v1 until")
    expect(page.get_by_role("link", name="Continue:")).to_be_visible()
    check_accessibility(page, "overview of a draft under a retired version")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "version-move-offer.png"), full_page=True)

    notice.get_by_role("button", name=f"Move to checklist v{NEXT}").click()
    expect(page.get_by_role("status").filter(has_text="Moved to the published checklist")).to_be_visible()
    asked = page.get_by_role("region", name=f"To ask again after the move from v1 to v{NEXT}")
    for prompt in to_ask:
        expect(asked.get_by_role("link", name=prompt)).to_be_visible()
    expect(page.get_by_role("region", name="Started under checklist v1, which is retired")).to_have_count(0)
    check_accessibility(page, "overview after the move")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "version-move-done.png"), full_page=True)
    draft.refresh_from_db()
    assert draft.version == nxt.version


def test_the_reconsent_list_starts_a_prefilled_screening(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility, artifacts_dir
):
    clinic, nina, _omar = clinic_people
    signed = make_screening_for_browser(
        clinic, nina, profile="clean", decision="proceed", patient_name="Rhea Reconsent", planned_date=None
    )
    build_next_version(NEXT)

    sign_in(page, live_server, "nina")
    page.get_by_role("link", name="To consent again").click()
    expect(page.get_by_role("heading", name="To consent again")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rhea Reconsent")
    expect(row).to_contain_text("checklist v1")
    check_accessibility(page, "the re-consent list")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "reconsent-list.png"), full_page=True)

    row.get_by_role("button", name="Consent again: Rhea Reconsent").click()
    expect(page.get_by_role("status").filter(has_text="A new consent was started from")).to_be_visible()
    expect(page.get_by_role("heading", name="Rhea Reconsent")).to_be_visible()
    asked = page.get_by_role("region", name=f"To ask again: changed between v1 and v{NEXT}")
    expect(asked.get_by_role("link", name="A question only the next version asks?")).to_be_visible()
    check_accessibility(page, "a re-consent started from the list")
    page.screenshot(path=str(artifacts_dir / "screenshots" / "reconsent-started.png"), full_page=True)
    new = Screening.objects.get(reconsent_of=signed)
    assert new.version.number == NEXT and new.answers.count() > 0

    page.goto(f"{live_server.url}/screenings/reconsent/")
    still_listed = page.get_by_role("row").filter(has_text="Rhea Reconsent")
    expect(still_listed.get_by_role("link", name="Open the new consent")).to_be_visible()
