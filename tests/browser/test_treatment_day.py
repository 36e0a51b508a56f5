"""Time to reflect, the treatment day's time-out and withdrawal (issue 14, item 4), in Chromium by
visible labels, with axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checklist.demo import answer_all_sections, demo_clock, sign_screening
from checklist.models import Decision
from checklist.services.screenings import screening_start
from tests.browser.conftest import sign_in
from tests.conftest import start_data

pytestmark = pytest.mark.django_db(transaction=True)

LOT = {"lot_number": "TV7-2611-044", "lot_expiry_date": "2027-06-30"}


def signed_go_ahead(clinic, clinician, *, hours_ago: float, name: str):
    with demo_clock(hours_ago=hours_ago):
        screening = screening_start(clinic=clinic, clinician=clinician, data=start_data(patient_name=name))
        answer_all_sections(screening, "clean", clinician, overrides=LOT)
        return sign_screening(screening, clinician, decision=Decision.PROCEED)


def do_the_time_out(page) -> None:
    for label in (
        "Same patient",
        "Same product and lot",
        "The patient still wishes",
        "Emergency plan",
        "Treating clinician",
    ):
        page.get_by_label(label).check()
    page.get_by_label("Lot number printed on the vial").fill("TV7-2611-044")
    page.get_by_role("button", name="Confirm the time-out").click()


def test_a_time_out_refused_during_the_reflection_period_and_accepted_after(
    page, live_server, clinic_people, check_accessibility
):
    clinic, nina, _omar = clinic_people
    today = signed_go_ahead(clinic, nina, hours_ago=1, name="Tia Today")
    earlier = signed_go_ahead(clinic, nina, hours_ago=30, name="Eli Earlier")
    sign_in(page, live_server, "nina")

    page.goto(f"{live_server.url}/screenings/{today.pk}/")
    expect(page.get_by_text("Earliest treatment")).to_be_visible()
    page.get_by_role("link", name="Time-out before the treatment").click()
    expect(page.get_by_text("The time-out cannot be done yet")).to_be_visible()
    expect(page.get_by_text("The time-out can be done from")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm the time-out")).to_have_count(0)
    check_accessibility(page, "time-out refused")

    page.goto(f"{live_server.url}/screenings/{earlier.pk}/")
    page.get_by_role("link", name="Time-out before the treatment").click()
    check_accessibility(page, "time-out")
    do_the_time_out(page)
    expect(page.get_by_text("The time-out is recorded. The treatment may go ahead.")).to_be_visible()
    expect(page.get_by_text("time-out confirmed on")).to_be_visible()
    expect(page.get_by_role("link", name="Time-out before the treatment")).to_have_count(0)
    check_accessibility(page, "treated")


def test_a_withdrawal_shown_on_the_verification_page(page, live_server, clinic_people, check_accessibility):
    clinic, nina, _omar = clinic_people
    screening = signed_go_ahead(clinic, nina, hours_ago=2, name="Wyn Withdrew")
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/")
    page.get_by_role("link", name="Record a withdrawal").click()
    check_accessibility(page, "withdraw")
    page.get_by_label("By phone").check()
    page.get_by_label("Note (optional)").fill("Decided against it after talking with family.")
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.get_by_text("The withdrawal is recorded.")).to_be_visible()
    expect(page.get_by_text("Withdrawn: the patient withdrew their consent")).to_be_visible()
    expect(page.get_by_role("link", name="Time-out before the treatment")).to_have_count(0)
    check_accessibility(page, "withdrawn")

    # As the PDF's QR code opens it, without signing in.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/verify/{screening.verification_code}/")
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()
    expect(page.get_by_text("The patient withdrew this consent on")).to_be_visible()
    check_accessibility(page, "verify withdrawn")
