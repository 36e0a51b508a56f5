"""Add a product and a lot, screen a patient from them, sign: by visible labels in Chromium, with
the clicks and typed fields counted against today's full flow (a product not in our list)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from checklist.demo import demo_answers
from checklist.models import Screening
from checklist.selectors import checklist_spec
from dossiers.models import DossierOverride, ScreeningDossier
from dossiers.services import clinic_profile_save
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Counted:
    """Counts what the clinician does: each click (or tick) and each field typed into."""

    clicks: int = 0
    typed: int = 0

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def fill(self, locator, value: str) -> None:
        self.typed += 1
        locator.fill(value)


def group(page, prompt: str):
    return page.get_by_role("group", name=prompt[:60])


def answer(page, counted: Counted, question, value) -> None:
    if question.answer_type in ("text", "date"):
        counted.fill(group(page, question.prompt).get_by_label("Answer", exact=True), value)
        return
    for choice in question.choices:
        if choice.value in (value if isinstance(value, list) else [value]):
            counted.click(group(page, question.prompt).get_by_text(choice.label, exact=True))


def answer_steps(page, counted: Counted, spec, answers) -> None:
    """Each step in turn: answer the questions shown (a dossier's are shown answered, not asked),
    then save, or confirm the dossier's answers for this patient, in one action."""
    for section in spec.sections:
        expect(page.get_by_role("heading", name=section.title, exact=True)).to_be_visible()
        while True:
            for question in section.questions:
                card = group(page, question.prompt)
                if (card.is_visible() and not card.locator("input:checked").count() and question.choices) or (
                    card.is_visible()
                    and not question.choices
                    and not card.get_by_label("Answer", exact=True).input_value()
                ):
                    answer(page, counted, question, answers[question.code])
            button = page.get_by_role(
                "button", name=re.compile("^(Save and continue|Confirm for this patient and continue)$")
            )
            with page.expect_navigation():
                counted.click(button)
            if not page.get_by_text("Your answers opened more questions").is_visible():
                break


def teach_back(page, counted: Counted, spec) -> None:
    """The patient's teach-back (v2): one answer per question, the right one, then one check."""
    counted.click(page.get_by_role("link", name="Continue to teach-back"))
    expect(page.get_by_role("heading", name="Teach-back: check what the patient understood")).to_be_visible()
    cards = page.locator("fieldset.teach-back-card")
    for i, question in enumerate(spec.teach_back):
        right = next(n for n, choice in enumerate(question.choices) if choice.correct)
        counted.click(cards.nth(i).get_by_role("radio").nth(right))
    counted.click(page.get_by_role("button", name="Check the answers"))
    expect(page.get_by_text("Every answer is right. The consent can be signed now.")).to_be_visible()


def sign(page, counted: Counted, name: str, spec) -> None:
    if spec.teach_back:
        teach_back(page, counted, spec)
    else:
        counted.click(page.get_by_role("link", name="Continue to consent"))
    statements = page.get_by_role("group", name="Please read each statement and tick it")
    for box in statements.get_by_role("checkbox").all():
        counted.click(box)
    counted.click(page.get_by_label("I want to wait and think about it"))
    counted.fill(page.get_by_label("Patient: type your full name"), name)
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + box["height"] / 2 + (20 if step % 2 else -20), steps=2)
    page.mouse.up()
    counted.clicks += 1  # the signature, drawn once
    counted.click(page.get_by_label(re.compile("^I explained each finding")))
    counted.fill(page.get_by_label("Clinician: your password"), PASSWORD)
    counted.click(page.get_by_role("button", name="Sign consent"))
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()


def start(page, counted: Counted, *, name: str, lot_label: str | None) -> None:
    counted.click(page.get_by_role("link", name="Start a screening").first)
    counted.fill(page.get_by_label("Patient's full name"), name)
    counted.fill(page.get_by_label("Date of birth"), "1979-03-14")
    if lot_label:
        counted.click(page.get_by_role("group", name="Product and lot").get_by_text(lot_label))
        expect(page.get_by_label("Product name")).to_be_hidden()
    else:
        counted.fill(page.get_by_label("Product name"), "RenewEV Exosome Serum")
        counted.fill(page.get_by_label("Maker"), "Apex Regenerative Labs")
    counted.click(page.get_by_role("group", name="Intended use").get_by_text("Skin appearance", exact=True))
    counted.click(page.get_by_role("group", name="Route").get_by_text("Applied to the skin (topical)", exact=True))
    counted.click(page.get_by_role("button", name="Start the checklist"))
    expect(page.get_by_role("heading", name="Source and donor screening")).to_be_visible()


def add_product_and_lot(page, spec, answers) -> None:
    """The clinic admin's one-time work: a product and a lot, with their answers, by labels."""
    menu = page.get_by_role("button", name="Show menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("link", name="Products").first.click()
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Product name").fill("VesiCord Regen")
    page.get_by_label("Maker").first.fill("Northfield Biologics")
    page.get_by_label("How the product is labelled").select_option(label="Cosmetic")
    for scope in ("product",):
        for question in (q for q in spec.questions if q.scope == scope):
            _admin_answer(page, question, answers[question.code])
    page.get_by_role("button", name="Save a new revision").click()
    expect(page.get_by_role("heading", name=re.compile("VesiCord Regen"))).to_be_visible()
    page.get_by_role("link", name="Add a lot").click()
    page.get_by_label("Lot number").fill("VC-2611-044")
    page.get_by_label("Expiry date").fill("2027-06-30")
    page.get_by_label("We hold the certificate of analysis").check()
    for question in (q for q in spec.questions if q.scope == "lot" and q.choices):
        _admin_answer(page, question, answers[question.code])
    page.get_by_role("button", name="Save a new revision").click()
    expect(page.get_by_role("heading", name=re.compile("lot VC-2611-044"))).to_be_visible()


def _admin_answer(page, question, value) -> None:
    if not question.choices:
        page.get_by_label(question.prompt).fill(value)
        return
    box = page.get_by_role("group", name=question.prompt)
    for choice in question.choices:
        if choice.value in (value if isinstance(value, list) else [value]):
            box.get_by_label(choice.label, exact=True).check()


def test_add_a_product_and_a_lot_screen_a_patient_from_them_and_sign(
    page, live_server, clinic_people, version_v2, capsys
):
    clinic, clinician, admin = clinic_people
    spec = checklist_spec(version_v2)
    calm = demo_answers(spec, "clean", {"route": "topical", "intended_use": "skin", "jurisdiction": "US"})
    clinic_profile_save(
        clinic=clinic,
        actor=admin,
        data={
            "setting": "licensed",
            "practitioners": "Dr Maya Chen, NH-MD-20418",
            "emergency_plan": "Adrenaline, oxygen, AED.",
            "contact_line": "+1 603 555 0143",
        },
        answers={q.code: calm[q.code] for q in spec.questions if q.scope == "clinic"},
    )
    device = TOTPDevice.objects.create(user=admin, name="Authenticator", confirmed=True)
    sign_in(page, live_server, admin.username, device=device)
    add_product_and_lot(page, spec, calm)
    page.context.clear_cookies()

    sign_in(page, live_server, clinician.username)
    from_dossier = Counted()
    start(page, from_dossier, name="Robin Hale", lot_label="VesiCord Regen, lot VC-2611-044")
    expect(page.get_by_text(re.compile("From the product dossier, reviewed by"))).to_be_visible()
    answer_steps(page, from_dossier, spec, calm)
    sign(page, from_dossier, "Robin Hale", spec)

    full = Counted()
    page.goto(f"{live_server.url}/")  # both start from the list of screenings
    start(page, full, name="Casey Moreno", lot_label=None)
    answer_steps(page, full, spec, calm)
    sign(page, full, "Casey Moreno", spec)

    robin = Screening.objects.get(patient_name="Robin Hale")
    casey = Screening.objects.get(patient_name="Casey Moreno")
    assert robin.status == casey.status == Screening.Status.SIGNED
    assert ScreeningDossier.objects.filter(screening=robin).exists() and not DossierOverride.objects.exists()
    assert robin.overall_risk == casey.overall_risk
    with capsys.disabled():
        print(
            f"\nA patient screened from the dossier: {from_dossier.clicks} clicks, {from_dossier.typed} typed fields."
            f"\nThe full flow (a product not in our list): {full.clicks} clicks, {full.typed} typed fields."
            f"\nShare: {from_dossier.clicks / full.clicks:.0%} of the clicks, {from_dossier.typed / full.typed:.0%} "
            "of the typed fields."
        )
    assert from_dossier.clicks < full.clicks and from_dossier.typed <= 0.4 * full.typed
