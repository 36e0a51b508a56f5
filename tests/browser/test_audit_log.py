"""The clinic admin reads the audit log and narrows it by visible labels."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_filters_the_audit_log_by_kind_person_and_screening(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, omar = clinic_people
    signed = make_screening_for_browser(clinic, nina, profile="clean", patient_name="Sia Signed")
    make_screening_for_browser(clinic, nina, signed=False, answered=False, patient_name="Dee Draft")
    device = TOTPDevice.objects.create(user=omar, name="Authenticator", confirmed=True)
    sign_in(page, live_server, "omar", device=device)
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_text("The audit trail verifies")).to_be_visible()
    check_accessibility(page, "audit log")

    page.get_by_label("Kind of event").select_option(label="Consent signed")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the one signature
    expect(rows.nth(1)).to_contain_text("Nina Tester")
    expect(rows.nth(1)).to_contain_text("Signed the consent with the patient.")
    check_accessibility(page, "audit log, filtered")

    page.get_by_role("link", name="Clear the filters").click()
    page.get_by_label("Person").select_option(label="Nina Tester")
    page.get_by_label("Screening reference").fill(signed.reference.lower())
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text="Started the screening.")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Stored the signed PDF")).to_have_count(0)  # no person did that

    page.get_by_label("Screening reference").fill("not a reference")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Enter a whole reference, like EXO-7K2M-Q9PD.")).to_be_visible()
    expect(page.get_by_text("Correct the filter above to see the events.")).to_be_visible()
