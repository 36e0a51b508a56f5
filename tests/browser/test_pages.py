"""Every page, as a clinic admin sees it: valid HTML, no axe violations, no sideways scrolling at
phone, tablet and desktop widths, with screenshots saved under artifacts/ to look at."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklist.services.screenings import screening_answers_save, screening_void
from checklist.services.treatment_day import consent_withdraw
from tests.browser.conftest import TOOLS, VIEWPORTS, java_available, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tour(clinic_people, make_screening_for_browser):
    """One screening in each state, and the pages that show them."""
    clinic, nina, omar = clinic_people
    draft = make_screening_for_browser(clinic, nina, signed=False, answered=False, patient_name="Dee Draft")
    waiting = make_screening_for_browser(clinic, nina, signed=False, patient_name="Wes Waiting")
    signed = make_screening_for_browser(clinic, nina, patient_name="Sia Signed")
    voided = make_screening_for_browser(clinic, nina, profile="clean", patient_name="Vic Voided")
    screening_void(screening=voided, user=omar, reason="Entered for the wrong patient")
    partial = make_screening_for_browser(clinic, nina, signed=False, answered=False, patient_name="Pat Partial")
    screening_answers_save(screening=partial, section_code="source", answers={}, user=nina)
    ready = make_screening_for_browser(clinic, nina, profile="clean", patient_name="Rae Ready", decision="proceed")
    withdrawn = make_screening_for_browser(
        clinic, nina, profile="clean", patient_name="Wyn Withdrawn", decision="proceed"
    )
    consent_withdraw(screening=withdrawn, user=nina, withdrawn_at=timezone.now(), how="in_person")
    return {
        "time-out": f"/screenings/{ready.pk}/time-out/",
        "withdraw": f"/screenings/{ready.pk}/withdraw/",
        "detail-withdrawn": f"/screenings/{withdrawn.pk}/",
        "verify-withdrawn": f"/verify/{withdrawn.verification_code}/",
        "device": TOTPDevice.objects.create(user=omar, name="Browser test authenticator", confirmed=True),
        "dashboard": "/",
        "dashboard-search": "/?q=zzz-no-match",
        "start": "/screenings/new/",
        "details": f"/screenings/{draft.pk}/details/",
        **{f"step-{code}": f"/screenings/{draft.pk}/steps/{code}/" for code in ("source", "regulatory", "evidence")},
        "step-answered": f"/screenings/{waiting.pk}/steps/source/",
        "step-open-questions": f"/screenings/{partial.pk}/steps/source/",
        "step-after-open-questions": f"/screenings/{partial.pk}/steps/regulatory/",
        "review-incomplete": f"/screenings/{draft.pk}/review/",
        "review-complete": f"/screenings/{waiting.pk}/review/",
        "red-flags": f"/screenings/{waiting.pk}/red-flags/",
        "consent": f"/screenings/{waiting.pk}/consent/",
        "detail-draft": f"/screenings/{draft.pk}/",
        "detail-signed": f"/screenings/{signed.pk}/",
        "detail-voided": f"/screenings/{voided.pk}/",
        "void-confirm": f"/screenings/{signed.pk}/void/confirm/",
        "account": "/accounts/",
        "staff": "/staff/",
        "audit": "/audit/",
        "clinic-settings": "/staff/settings/",
        "password": "/accounts/password/",
        "verify": "/verify/",
        "verify-code": f"/verify/{signed.verification_code}/",
        "not-found": "/screenings/00000000-0000-0000-0000-000000000000/",
    }


def test_every_page_is_valid_accessible_and_fits_every_width(
    page, live_server, tour, check_accessibility, artifacts_dir
):
    shots = artifacts_dir / "screenshots"
    html_dir = artifacts_dir / "html"
    shots.mkdir(exist_ok=True)
    html_dir.mkdir(exist_ok=True)
    for old in html_dir.glob("*.html"):
        old.unlink()

    # The sign-in page, before signing in.
    response = page.goto(f"{live_server.url}/accounts/login/")
    (html_dir / "login.html").write_text(response.text())
    check_accessibility(page, "login")
    device = tour.pop("device")
    sign_in(page, live_server, "omar", device=device)

    overflow = []
    for name, path in tour.items():
        response = page.goto(live_server.url + path)
        assert response.status < 500, f"{name}: {response.status}"
        (html_dir / f"{name}.html").write_text(response.text())
        check_accessibility(page, name)
        for label, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                overflow.append((name, label, widths))
            page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        page.set_viewport_size({"width": 768, "height": 1024})
    assert not overflow, f"pages that scroll sideways: {overflow}"
    assert_valid_html(sorted(html_dir.glob("*.html")))


def assert_valid_html(files) -> None:
    """The Nu HTML checker over every page, in one call: zero errors."""
    if not java_available():
        pytest.fail("Java is needed for the Nu HTML checker: sudo apt-get install -y default-jre-headless")
    jar = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        pytest.fail("vnu-jar is missing: run `npm ci --prefix tests/browser` (make test does this).")
    result = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "HTML errors:\n" + "\n".join(errors)
