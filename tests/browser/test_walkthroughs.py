"""A clinician's real walkthroughs in Chromium, by visible labels and roles, with axe on every page."""

from __future__ import annotations

import io
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pypdf import PdfReader

from checklist.demo import demo_answers
from checklist.models import Answer, Screening
from checklist.risk import Level
from checklist.selectors import checklist_spec, checklist_version_published
from tests.browser.conftest import VIEWPORTS, sign_in
from tests.browser.test_pages import assert_valid_html
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def question_group(page, prompt: str):
    return page.get_by_role("group", name=prompt[:60])


def answer_question(page, question, value) -> None:
    group = question_group(page, question.prompt)
    if question.answer_type in ("text", "date"):
        group.get_by_label("Answer", exact=True).fill(value)
        return
    values = value if isinstance(value, list) else [value]
    for choice in question.choices:
        if choice.value in values:
            group.get_by_text(choice.label, exact=True).click()


def answer_section(page, section, answers, check_accessibility) -> None:
    """Answer every visible question of the step in order, as a clinician would."""
    for question in section.questions:
        if not question_group(page, question.prompt).is_visible():
            continue
        answer_question(page, question, answers[question.code])
    check_accessibility(page, f"step {section.code}")
    # The save is a form post that may come back to the same address, so wait for the navigation
    # itself: checking the old page before the new one arrives would skip questions.
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    # A question that appeared because of an answer keeps us on the page until it is answered.
    if page.get_by_text("Your answers opened more questions").is_visible():
        answer_section(page, section, answers, check_accessibility)


def start_screening(page, *, name: str, route: str = "With microneedling") -> None:
    page.get_by_role("link", name="Start a screening").first.click()
    page.get_by_label("Patient's full name").fill(name)
    page.get_by_label("Date of birth").fill("1979-03-14")
    page.get_by_label("Product name").fill("RenewEV Exosome Serum")
    page.get_by_label("Maker").fill("Apex Regenerative Labs")
    page.get_by_role("group", name="Intended use").get_by_text("Skin appearance", exact=True).click()
    page.get_by_role("group", name="Route").get_by_text(route, exact=True).click()
    page.get_by_label("Where the patient lives").select_option(label="United States")
    page.get_by_role("button", name="Start the checklist").click()
    expect(page.get_by_role("heading", name="Source and donor screening")).to_be_visible()


def draw_signature(page) -> None:
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 30):
        page.mouse.move(box["x"] + 30 + step * 12, box["y"] + box["height"] / 2 + (20 if step % 2 else -20), steps=2)
    page.mouse.up()


def pdf_link_href(page) -> str:
    """The signed PDF's address, from the link the screening's page shows."""
    link = page.get_by_role("link", name="Open the PDF")
    return page.url.split("/screenings/")[0] + link.get_attribute("href")


def sign_consent(page, name: str, decision: str) -> None:
    statements = page.get_by_role("group", name="Please read each statement and tick it")
    for box in statements.get_by_role("checkbox").all():
        box.check()
    page.get_by_label(decision).check()
    page.get_by_label("Patient: type your full name").fill(name)
    draw_signature(page)
    page.get_by_label(re.compile("^I explained each finding")).check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()
    # Rendered in the background after the signature committed; the page shows it once stored.
    expect(page.get_by_role("link", name="Open the PDF")).to_be_visible(timeout=30_000)


def test_a_risky_screening_from_sign_in_to_the_signed_pdf(page, live_server, clinic_people, check_accessibility):
    sign_in(page, live_server, "nina")
    check_accessibility(page, "dashboard")
    spec = checklist_spec(checklist_version_published())
    answers = demo_answers(spec, "risky")
    start_screening(page, name="Jordan Avery")

    source = spec.sections_by_code["source"]
    lot = question_group(page, spec.questions_by_code["lot_number"].prompt)
    certificate = question_group(page, spec.questions_by_code["sterility_certificate"].prompt)
    expect(lot).to_be_hidden()
    certificate.get_by_text("Yes", exact=True).click()
    expect(lot).to_be_visible()
    certificate.get_by_text("No", exact=True).click()
    expect(lot).to_be_hidden()
    expect(certificate.get_by_text("Red flag: this answer raises a serious concern.")).to_be_visible()
    answer_section(page, source, answers, check_accessibility)

    page.get_by_role("link", name=re.compile("Source and donor screening")).click()
    flags = page.get_by_role("complementary")
    expect(flags.get_by_text("Source not disclosed", exact=False)).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()

    for section in spec.sections[1:]:
        expect(page.get_by_role("heading", name=section.title, exact=True)).to_be_visible()
        answer_section(page, section, answers, check_accessibility)

    expect(page.get_by_role("heading", name="Risk summary")).to_be_visible()
    expect(page.get_by_text("Red flags found")).to_be_visible()
    check_accessibility(page, "review")
    page.get_by_role("link", name="Continue to the red flags").click()
    expect(page.get_by_role("heading", name="Red flags: pause before the consent")).to_be_visible()
    check_accessibility(page, "red flags")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Your risk summary")).to_be_visible()
    check_accessibility(page, "consent")
    sign_consent(page, "Jordan Avery", "I decline the treatment")
    check_accessibility(page, "signed screening")

    screening = Screening.objects.get(patient_name="Jordan Avery")
    assert screening.status == Screening.Status.SIGNED
    assert screening.signature_png and screening.signature_png.startswith(b"\x89PNG")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download a copy").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    assert "Jordan Avery" in flat
    red = [f for f in screening.findings_snapshot["assessment"]["findings"] if f["level"] == "red_flag"]
    assert red
    for finding in red[:3]:
        assert " ".join(finding["patient_text"].split())[:40] in flat
    assert "signature" in flat.lower()
    assert any(page_.images for page_ in pdf.pages), "the drawn signature is embedded as an image"


def test_a_clean_screening_still_states_the_uncertainties(page, live_server, clinic_people, check_accessibility):
    sign_in(page, live_server, "nina")
    spec = checklist_spec(checklist_version_published())
    answers = demo_answers(spec, "clean")
    start_screening(page, name="Maria Lopez", route="Applied to the skin (topical)")
    for section in spec.sections:
        answer_section(page, section, answers, check_accessibility)
    expect(page.get_by_text("No warning signs in these answers")).to_be_visible()
    key_info = page.get_by_role("region", name="Key information: read this first")
    expect(key_info).to_be_visible()
    expect(key_info.get_by_text("No warning signs were found in your answers.")).to_be_visible()
    expect(key_info.get_by_text("No one knows the long-term effects yet.")).to_be_visible()
    page.get_by_role("link", name="Continue to consent").click()
    page.get_by_text("Your risk summary").click()
    expect(page.get_by_role("heading", name="What every patient should know")).to_be_visible()
    for fact in spec.key_facts:
        expect(page.get_by_text(fact.text)).to_be_visible()
    assert Screening.objects.get(patient_name="Maria Lopez").overall_risk == Level.NONE.code


def test_save_and_exit_then_resume_after_signing_in_again(page, live_server, clinic_people, check_accessibility):
    sign_in(page, live_server, "nina")
    spec = checklist_spec(checklist_version_published())
    start_screening(page, name="Chris Walker")
    origin = spec.questions_by_code["source_origin"]
    donor = spec.questions_by_code["donor_screening"]
    answer_question(page, origin, "adipose_msc")
    answer_question(page, donor, "unsure")
    question_group(page, donor.prompt).get_by_label("Clinician's note (optional)").fill("Asked the supplier by email.")
    page.get_by_role("button", name="Save and exit").click()
    # Saved, and told what is still open on the step left unfinished.
    expect(page.get_by_text(re.compile(r"^Saved\. \d+ required questions on that page are still open"))).to_be_visible()
    menu = page.get_by_role("button", name="Show menu")
    if menu.is_visible():
        menu.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    with page.expect_navigation(url=f"{live_server.url}/accounts/login/"):
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    sign_in(page, live_server, "nina")
    page.get_by_role("link", name="Chris Walker").click()
    page.get_by_role("link", name=re.compile("^Continue:")).click()
    group = question_group(page, origin.prompt)
    expect(group.get_by_label("Fat (adipose) stem cells")).to_be_checked()
    expect(question_group(page, donor.prompt).get_by_label("Not sure")).to_be_checked()
    expect(question_group(page, donor.prompt).get_by_label("Clinician's note (optional)")).to_have_value(
        "Asked the supplier by email."
    )


def test_after_signing_nothing_can_change(page, live_server, clinic_people, make_screening_for_browser):
    clinic, nina, _admin = clinic_people
    screening = make_screening_for_browser(clinic, nina)
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/")
    expect(page.get_by_text("This screening is locked")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Continue"))).to_have_count(0)
    page.goto(f"{live_server.url}/screenings/{screening.pk}/steps/source/")
    assert page.url.endswith(f"/screenings/{screening.pk}/")

    before = list(Answer.objects.filter(screening=screening).values_list("question_id", "value", "note"))
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/screenings/{screening.pk}/steps/source/",
        form={"csrfmiddlewaretoken": csrf, "lock_version": "0", "q__source_origin": "plant", "save_continue": "1"},
        headers={"Referer": live_server.url + "/", "X-CSRFToken": csrf},
    )
    assert response.status == 403
    after = list(Answer.objects.filter(screening=screening).values_list("question_id", "value", "note"))
    assert before == after


def test_a_section_completed_with_the_keyboard_alone(page, live_server, clinic_people, make_screening_for_browser):
    clinic, nina, _admin = clinic_people
    screening = make_screening_for_browser(clinic, nina, signed=False, answered=False)
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/steps/reporting/")
    spec = checklist_spec(screening.version)
    section = spec.sections_by_code["reporting"]
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                 const label = e.labels && e.labels[0];
                 const styled = (e.type === 'radio' || e.type === 'checkbox') && label ? label : e;
                 const s = getComputedStyle(styled);
                 return {tag: e.tagName, type: e.type || '', name: e.name || '', text: e.textContent.trim(),
                         checked: e.checked || false, value: e.value || '',
                         groupChecked: e.name ? !!document.querySelector(`[name="${e.name}"]:checked`) : false,
                         outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
        )
        if focused["tag"] == "BUTTON" and focused["text"] == "Save and continue":
            assert focused["outline"].split()[0] != "none", "focus must be visible"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
        if focused["name"].startswith("q__"):
            assert focused["outline"].split()[0] != "none", f"no visible focus on {focused}"
            if focused["type"] == "radio" and not focused["groupChecked"]:
                page.keyboard.press("Space")
            elif focused["tag"] == "TEXTAREA" and not focused["value"]:
                page.keyboard.type("Told in person")
    else:
        pytest.fail("never reached the Save and continue button")
    saved = dict(Answer.objects.filter(screening=screening).values_list("question__code", "value"))
    required = [q.code for q in section.questions if q.required]
    assert all(saved.get(code) for code in required), saved


def test_an_admin_voids_a_signed_record_after_confirming_it(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, patient_name="Vera Void")
    device = TOTPDevice.objects.create(user=omar, name="Browser test authenticator", confirmed=True)
    sign_in(page, live_server, "omar", device=device)
    page.goto(f"{live_server.url}/screenings/{screening.pk}/")
    page.get_by_role("link", name="Void this record…").click()
    expect(page.get_by_role("heading", name="Void this signed record?")).to_be_visible()
    expect(page.get_by_text("Vera Void")).to_be_visible()
    expect(page.get_by_text(screening.reference, exact=True)).to_be_visible()
    check_accessibility(page, "void confirmation")
    page.get_by_role("button", name=f"Void {screening.reference}").click()
    expect(page.get_by_text("Say why this screening is void")).to_be_visible()
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.SIGNED
    page.get_by_label("Why is this screening void?").fill("Entered for the wrong patient")
    page.get_by_role("button", name=f"Void {screening.reference}").click()
    expect(page.get_by_text("The screening is now void.")).to_be_visible()
    assert Screening.objects.get(pk=screening.pk).void_reason == "Entered for the wrong patient"
    expect(page.get_by_role("link", name="Void this record…")).to_have_count(0)
    pdf = PdfReader(io.BytesIO(page.request.get(pdf_link_href(page)).body()))
    pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
    assert all("VOID: this record was voided on" in text for text in pages)
    assert "Entered for the wrong patient" in pages[0]


def test_the_signed_page_offers_the_pdf_first_to_open_and_print(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, _omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, profile="clean", patient_name="Pia Print")
    sign_in(page, live_server, "nina")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/screenings/{screening.pk}/")
    opened = page.get_by_role("link", name="Open the PDF")
    printed = page.get_by_role("link", name="Print", exact=True)
    # First on the page, above the fold of a phone, before the overview and the findings.
    assert opened.bounding_box()["y"] + opened.bounding_box()["height"] < 844
    assert printed.bounding_box()["y"] < page.get_by_role("heading", name="Overview").bounding_box()["y"]
    # The clean record's summary says the uncertainties are listed below, and they are.
    expect(page.get_by_text("listed below", exact=False)).to_be_visible()
    findings = page.get_by_role("region", name="Findings at signing")
    expect(findings.get_by_role("heading", name="What every patient should know")).to_be_visible()
    assert findings.get_by_role("listitem").count() >= 3
    check_accessibility(page, "signed page at 390")
    response = page.request.get(live_server.url + opened.get_attribute("href"))
    assert response.headers["content-disposition"].startswith("inline")
    # Print loads the PDF into a hidden frame of this page and prints it from there.
    with page.expect_request(re.compile(rf"/screenings/{screening.pk}/pdf/$")):
        printed.click()
    frame = page.locator("iframe.print-frame")
    expect(frame).to_have_count(1)
    assert frame.get_attribute("src").endswith(f"/screenings/{screening.pk}/pdf/")
    assert page.url.endswith(f"/screenings/{screening.pk}/")


def test_save_and_continue_with_required_questions_open_says_which_and_where(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, _omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, signed=False, answered=False, patient_name="Ola Open")
    spec = checklist_spec(screening.version)
    source = spec.sections_by_code["source"]
    first, *rest = [q for q in source.questions if q.required and q.depends_on is None]
    sign_in(page, live_server, "nina")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/screenings/{screening.pk}/steps/source/")
    answer_question(page, first, demo_answers(spec, "clean")[first.code])
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    # Still on the same step: what was given is saved, and the rest is named.
    expect(page.get_by_role("heading", name=source.title, exact=True)).to_be_visible()
    expect(page.get_by_text(f"Saved, but {len(rest)} required questions on this page are still open.")).to_be_visible()
    box = page.get_by_role("region", name=f"{len(rest)} required questions on this page are still open")
    expect(box).to_be_visible()
    assert Answer.objects.filter(screening=screening, question__code=first.code).exists()
    for question in rest:
        expect(box.get_by_role("link", name=question.prompt, exact=True)).to_be_visible()
    expect(box.get_by_role("link", name=first.prompt, exact=True)).to_have_count(0)
    box.get_by_role("link", name=rest[0].prompt, exact=True).click()
    assert page.url.endswith(f"#question-{rest[0].code}")
    expect(question_group(page, rest[0].prompt)).to_be_in_viewport()
    # The step bar says it in words, on a phone too.
    progress = page.get_by_role("navigation", name="Screening progress")
    expect(progress.get_by_text(f"{len(rest)} to answer")).to_be_visible()
    check_accessibility(page, "step with open questions")


CANVAS_HAS_INK = """() => {
  const canvas = document.querySelector("canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
  return false;
}"""


def test_a_refused_consent_keeps_the_drawn_signature_and_says_what_to_fix_at_the_top(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility, artifacts_dir
):
    clinic, nina, _omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, signed=False, patient_name="Kim Kept")
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/consent/")
    statements = page.get_by_role("group", name="Please read each statement and tick it")
    boxes = statements.get_by_role("checkbox").all()
    for box in boxes[1:]:
        box.check()
    page.get_by_label("I want to wait and think about it").check()
    page.get_by_label("Patient: type your full name").fill("Kim Kept")
    draw_signature(page)
    page.get_by_label(re.compile("^I explained each finding")).check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Sign consent").click()
    source = artifacts_dir / "html" / "consent-refused.html"
    source.parent.mkdir(exist_ok=True)
    source.write_text(refused.value.text())
    assert_valid_html([source])

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < page.get_by_role("heading", name="Your risk summary").bounding_box()["y"]
    check_accessibility(page, "refused consent")
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts_dir / "screenshots" / f"consent-refused-{label}.png"))
    page.set_viewport_size({"width": 768, "height": 1024})
    # The signature is drawn again on the pad, and what was chosen is still chosen.
    page.wait_for_function(CANVAS_HAS_INK)
    expect(page.get_by_text("The signature drawn before is kept.")).to_be_visible()
    expect(page.get_by_label("Patient: type your full name")).to_have_value("Kim Kept")
    expect(page.get_by_label("I want to wait and think about it")).to_be_checked()
    summary.get_by_role("link", name="Every statement must be read and ticked before signing.").click()
    expect(boxes[0]).to_be_focused()

    boxes[0].check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()
    signed = Screening.objects.get(pk=screening.pk)
    assert signed.status == Screening.Status.SIGNED
    assert signed.signature_png and bytes(signed.signature_png).startswith(b"\x89PNG")


def test_another_name_asks_who_signs_and_a_representative_signs_with_an_interpreter(
    page, live_server, clinic_people, make_screening_for_browser, check_accessibility
):
    clinic, nina, _omar = clinic_people
    screening = make_screening_for_browser(clinic, nina, signed=False, patient_name="Chris Walker")
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/screenings/{screening.pk}/consent/")
    expect(page.get_by_label("Representative: type your full name")).to_be_hidden()
    statements = page.get_by_role("group", name="Please read each statement and tick it")
    for box in statements.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("I want to wait and think about it").check()
    page.get_by_label("Patient: type your full name").fill("Someone Else")
    page.get_by_label(re.compile("^I explained each finding")).check()
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name=re.compile('"Someone Else", is not the name on the record'))
    ).to_be_visible()
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE
    who = page.get_by_role("group", name="Who is signing")
    who.get_by_label("A legally authorised representative, for the patient").check()
    expect(page.get_by_label("Patient: type your full name")).to_be_hidden()
    page.get_by_label("Representative: type your full name").fill("Jane Walker")
    page.get_by_label("Relationship to the patient, or authority to decide for them").fill("Mother")
    page.get_by_text("Interpreter or witness (only if one took part)").click()
    page.get_by_label("Interpreter's full name").fill("Luísa Mendes")
    page.get_by_label("Language interpreted").fill("Portuguese")
    check_accessibility(page, "consent signed by a representative")
    page.get_by_label("Clinician: your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Signed. The take-home PDF is being prepared")).to_be_visible()
    expect(page.get_by_text("Jane Walker, legally authorised representative (Mother)")).to_be_visible()
    expect(page.get_by_text("Luísa Mendes · Portuguese")).to_be_visible()
    signed = Screening.objects.get(pk=screening.pk)
    assert signed.findings_snapshot["signing"]["signer"] == "representative"
