"""Decision support at the chair (issue 14), in Chromium by visible labels, with axe on every page:
red flags that stop a "go ahead" until each is resolved, a co-signing second clinician, the flags
panel that follows the answers, and the length of the review and consent pages."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from checklist.demo import answer_all_sections
from checklist.management.commands.seed_demo import COSMETIC_MICRONEEDLING_STORY, PAID_OUTSIDE_TRIAL_STORY
from checklist.models import FlagResolution, Screening
from checklist.services.screenings import screening_start
from clinic.models import Clinic
from tests.browser.conftest import sign_in
from tests.browser.test_walkthroughs import draw_signature
from tests.conftest import PASSWORD, start_data

pytestmark = pytest.mark.django_db(transaction=True)

GO_AHEAD = "I want to go ahead with the treatment"
CONTACT_FLAG = "No clinic contact for complications."
TRIAL_FLAG = "US: unapproved exosome product offered for payment outside an FDA-overseen trial or IND."


@pytest.fixture
def two_red_flags(clinic_people):
    """A screening ready for consent whose answers raise two red flags."""
    clinic, nina, _omar = clinic_people
    screening = screening_start(clinic=clinic, clinician=nina, data=start_data(patient_name="Rhea Flag"))
    return answer_all_sections(screening, "clean", nina, overrides=PAID_OUTSIDE_TRIAL_STORY)


def flag_card(page, clinician_text: str):
    return page.get_by_role("group", name=clinician_text)


def resolve_the_flags(page, check_accessibility) -> None:
    """On the red flags step: one resolved with the evidence seen, one accepted by the patient."""
    expect(page.get_by_role("heading", name="Red flags: pause before the consent")).to_be_visible()
    check_accessibility(page, "red flags")
    contact = flag_card(page, CONTACT_FLAG)
    contact.get_by_label("Resolved: evidence seen").check()
    flag_card(page, TRIAL_FLAG).get_by_label("Discussed: the patient accepts this risk").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(contact.get_by_text("Say what evidence you saw")).to_be_visible()
    expect(flag_card(page, TRIAL_FLAG).get_by_label("Discussed: the patient accepts this risk")).to_be_checked()
    contact.get_by_label("What you saw or discussed").fill("Gave the patient the nurse line card")
    page.get_by_role("button", name="Save and continue").click()


def fill_consent(page, name: str) -> None:
    statements = page.get_by_role("group", name="Please read each statement and tick it")
    for box in statements.get_by_role("checkbox").all():
        box.check()
    page.get_by_label(GO_AHEAD).check()
    accepted = page.get_by_role("group", name="If you go ahead: the risks you accept")
    for box in accepted.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Patient: type your full name").fill(name)
    draw_signature(page)
    page.get_by_label(re.compile("^I explained each finding")).check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)


def test_go_ahead_cannot_be_signed_until_each_red_flag_is_resolved(
    page, live_server, two_red_flags, check_accessibility
):
    screening = two_red_flags
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/review/")
    key_info = page.get_by_role("region", name="Key information: read this first")
    expect(key_info.get_by_text("2 serious concerns were found:")).to_be_visible()
    expect(key_info.get_by_text("No resolution yet")).to_have_count(2)
    page.get_by_role("link", name="Continue to the red flags").click()
    page.get_by_role("button", name="Save and continue").click()

    # Nothing resolved yet: the consent page offers "go ahead" disabled, and says why.
    expect(page.get_by_label(GO_AHEAD)).to_be_disabled()
    expect(
        page.get_by_text("Going ahead is not possible yet: 2 red flags still need a resolution.").first
    ).to_be_visible()
    check_accessibility(page, "consent, go ahead blocked")
    page.get_by_role("link", name="Resolve the red flags").click()
    resolve_the_flags(page, check_accessibility)

    expect(page.get_by_label(GO_AHEAD)).to_be_enabled()
    check_accessibility(page, "consent with an accepted risk")
    fill_consent(page, "Rhea Flag")
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SIGNED and screening.decision == "proceed"
    outcomes = dict(FlagResolution.objects.filter(screening=screening).values_list("outcome", "patient_confirmed_at"))
    assert set(outcomes) == {"resolved", "accepted"} and outcomes["accepted"] is not None
    frozen = page.get_by_role("region", name="Findings at signing")
    expect(frozen.get_by_text("Resolved: evidence seen")).to_be_visible()
    expect(frozen.get_by_text("the patient ticked it at signing")).to_be_visible()
    check_accessibility(page, "signed with resolutions")


def test_a_second_clinician_co_signs_a_go_ahead_with_an_accepted_risk(
    page, live_server, clinic_people, two_red_flags, check_accessibility
):
    clinic, _nina, omar = clinic_people
    Clinic.objects.filter(pk=clinic.pk).update(cosign_accepted_red_flags=True)
    screening = two_red_flags
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/red-flags/")
    resolve_the_flags(page, check_accessibility)
    expect(page.get_by_role("group", name="Second clinician's co-signature")).to_be_visible()
    check_accessibility(page, "consent with co-signature")
    fill_consent(page, "Rhea Flag")
    page.get_by_role("button", name="Sign consent").click()
    expect(
        page.locator(".invalid-feedback", has_text="A second clinician types their username and password to co-sign.")
    ).to_be_visible()
    assert Screening.objects.get(pk=screening.pk).status != Screening.Status.SIGNED

    fill_consent(page, "Rhea Flag")
    page.get_by_label("Second clinician: username").fill(omar.username)
    page.get_by_label("Second clinician: password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()
    screening.refresh_from_db()
    assert screening.cosigned_by == omar and screening.cosigned_at
    expect(page.get_by_text("Co-signed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download a copy")).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a copy").click()
    pages = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    first = " ".join(pages[0].extract_text().split())
    assert f"Co-signed by a second clinician, {omar.get_full_name()}" in first
    everything = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "What this co-signature means" in everything


def test_the_flags_panel_names_each_concern_as_it_is_picked_and_stays_in_view(
    page, live_server, clinic_people, make_screening_for_browser
):
    clinic, nina, _omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, signed=False, answered=False)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/steps/source/")
    panel = page.get_by_role("complementary")
    expect(panel.get_by_text("No flags from these answers.")).to_be_visible()
    certificate = page.get_by_role("group", name="Is there a certificate of analysis")
    certificate.get_by_text("No", exact=True).click()
    expect(certificate.get_by_text("Red flag: this answer raises a serious concern. No lot-specific")).to_be_visible()
    expect(panel.get_by_text("No lot-specific sterility result available.")).to_be_visible()
    expect(panel.get_by_text("No flags from these answers.")).to_be_hidden()
    certificate.get_by_text("Yes", exact=True).click()
    expect(panel.get_by_text("No lot-specific sterility result available.")).to_be_hidden()
    # Read aloud first, the clinician's prompt second.
    texts = certificate.locator("legend").inner_text()
    assert texts.index("Is there a test report") < texts.index("Is there a certificate of analysis")
    page.mouse.wheel(0, 2500)
    expect(panel.locator("[data-flags-panel]")).to_be_in_viewport()


def test_the_risky_demo_reads_in_a_few_screens(page, live_server, checklist_loaded, check_accessibility):
    """Targets at 768x1024: the risky demo's review at most 4 screens, its consent at most 3."""
    call_command("seed_demo", stdout=io.StringIO())
    demo = Screening.objects.get(patient_name="Jordan Avery")
    copy = screening_start(
        clinic=demo.clinic,
        clinician=demo.clinician,
        data={name: getattr(demo, name) for name in ("patient_dob", "product_name", "product_maker", "intended_use")}
        | {"patient_name": "Jordan Avery (unsigned)", "route": demo.route, "jurisdiction": demo.jurisdiction},
    )
    answer_all_sections(
        copy,
        "clean",
        demo.clinician,
        note="Checked against the product leaflet.",
        overrides=COSMETIC_MICRONEEDLING_STORY,
    )
    sign_in(page, live_server, "demo-clinician", password="exosafe-demo")
    page.set_viewport_size({"width": 768, "height": 1024})
    screens = {}
    for name in ("review", "consent"):
        page.goto(f"{live_server.url}/screenings/{copy.pk}/{name}/")
        check_accessibility(page, name)
        screens[name] = page.evaluate("document.documentElement.scrollHeight / window.innerHeight")
    print(f"risky demo at 768x1024: review {screens['review']:.2f} screens, consent {screens['consent']:.2f}")
    assert screens["review"] <= 4, screens
    assert screens["consent"] <= 3, screens
