"""The dashboard as a clinician reads it: how far each draft has got, the patient's decision on
signed records, and a one-tap list of the screenings waiting for a signature."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checklist.selectors import checklist_spec
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_decision_and_the_awaiting_signature_filter(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, _omar = clinic_people
    make_screening_for_browser(clinic, nina, signed=False, answered=False, patient_name="Dee Draft")
    waiting = make_screening_for_browser(clinic, nina, signed=False, patient_name="Wes Waiting")
    make_screening_for_browser(clinic, nina, patient_name="Sia Signed")
    total = len(checklist_spec(waiting.version).sections)

    sign_in(page, live_server, "nina")
    check_accessibility(page, "dashboard")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Dee Draft")).to_contain_text(f"0 of {total} sections done")
    expect(rows.filter(has_text="Wes Waiting")).to_contain_text(f"{total} of {total} sections done")
    expect(rows.filter(has_text="Sia Signed")).to_contain_text("Patient: Wants to wait")

    filters = page.get_by_role("navigation", name="Quick filters")
    filters.get_by_role("link", name="Awaiting signature").click()
    expect(filters.get_by_role("link", name="Awaiting signature")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Wes Waiting")).to_be_visible()
    expect(page.get_by_role("link", name="Dee Draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Sia Signed")).to_have_count(0)
    check_accessibility(page, "dashboard, awaiting signature")
    filters.get_by_role("link", name="All screenings").click()
    expect(page.get_by_role("link", name="Dee Draft")).to_be_visible()
