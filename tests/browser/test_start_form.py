"""The "Start a screening" form as a clinician sees it: answer buttons the size of the checklist's,
and the "Other" boxes only while "Other" is chosen (with every box still there without JavaScript)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checklist.models import Screening
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_use_and_route_are_answer_buttons_and_other_boxes_follow_other(
    page, live_server, clinic_people, check_accessibility
):
    sign_in(page, live_server, "nina")
    page.get_by_role("link", name="Start a screening").first.click()
    use = page.get_by_role("group", name="Intended use")
    route = page.get_by_role("group", name="Route")
    for group, label in ((use, "Skin appearance"), (use, "Other"), (route, "With microneedling")):
        box = group.get_by_text(label, exact=True).bounding_box()
        assert box is not None and box["height"] >= 48, (label, box)

    other_use = page.get_by_label("Other use")
    other_route = page.get_by_label("Other route")
    expect(other_use).to_be_hidden()
    expect(other_route).to_be_hidden()
    use.get_by_text("Other", exact=True).click()
    expect(other_use).to_be_visible()
    expect(other_route).to_be_hidden()
    check_accessibility(page, "start form with Other chosen")
    other_use.fill("Scar revision")
    use.get_by_text("Hair loss", exact=True).click()
    expect(other_use).to_be_hidden()
    route.get_by_text("Other", exact=True).click()
    expect(other_route).to_be_visible()


def test_without_javascript_the_other_boxes_show_and_the_server_checks_them(browser, live_server, clinic_people):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/new/")
    expect(page.get_by_label("Other use")).to_be_visible()
    expect(page.get_by_label("Other route")).to_be_visible()
    page.get_by_label("Patient's full name").fill("Noor Script")
    page.get_by_label("Date of birth").fill("1980-01-02")
    page.get_by_label("Product name").fill("Serum Z")
    page.get_by_role("group", name="Intended use").get_by_text("Other", exact=True).click()
    page.get_by_role("group", name="Route").get_by_text("With microneedling", exact=True).click()
    page.get_by_role("button", name="Start the checklist").click()
    expect(page.get_by_text("Say what the treatment is for.")).to_be_visible()
    assert not Screening.objects.filter(patient_name="Noor Script").exists()
    page.get_by_label("Other use").fill("Scar revision")
    page.get_by_role("button", name="Start the checklist").click()
    expect(page.get_by_role("heading", name="Source and donor screening")).to_be_visible()
    assert Screening.objects.get(patient_name="Noor Script").intended_use_other == "Scar revision"
    context.close()
