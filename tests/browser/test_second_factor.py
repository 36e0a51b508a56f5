"""The second factor in Chromium: a clinic admin enrols at first sign-in with a code computed from
the secret shown on the page, keeps the recovery codes, then signs in with a code and with a
recovery code. axe runs on every page, and the Nu checker over them all."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_valid_html
from tests.conftest import PASSWORD, totp_now

pytestmark = pytest.mark.django_db(transaction=True)


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for this secret now (RFC 6238: 30-second steps, 6 digits)."""
    return f"{hotp(b32decode(secret.replace(' ', '')), int(time.time()) // 30):06d}"


def type_password(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    menu = page.get_by_role("button", name="Show menu")
    if menu.is_visible():
        menu.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        page.get_by_role("button", name="Sign out").click()


def test_an_admin_enrols_then_signs_in_with_a_code_and_a_recovery_code(
    page, live_server, clinic_people, check_accessibility, artifacts_dir
):
    html_dir = artifacts_dir / "html-second-factor"
    html_dir.mkdir(exist_ok=True)
    saved = []

    def keep(name: str) -> None:
        path = html_dir / f"{name}.html"
        path.write_text(page.content())
        saved.append(path)
        check_accessibility(page, name)

    type_password(page, live_server, "omar")
    page.wait_for_url(re.compile(r"/accounts/second-factor/"))
    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    keep("enrol")
    secret = page.get_by_test_id("otp-secret").inner_text()
    page.get_by_label("Code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    keep("recovery-codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them, continue").click()
    page.wait_for_url(f"{live_server.url}/")
    device = TOTPDevice.objects.get(user__username="omar", confirmed=True)
    assert b32decode(secret.replace(" ", "")) == device.bin_key

    sign_out(page)
    type_password(page, live_server, "omar")
    page.wait_for_url(re.compile(r"/accounts/code/"))
    keep("code")
    page.get_by_label("Code").fill("000000" if totp_now(device) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    keep("code-wrong")
    page.wait_for_timeout(1200)  # the wait after one wrong code
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_text("On: signing in asks for a code")).to_be_visible()
    keep("account-enrolled")

    sign_out(page)
    type_password(page, live_server, "omar")
    page.wait_for_url(re.compile(r"/accounts/code/"))
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("You signed in with a recovery code; 9 are left.")).to_be_visible()

    assert_valid_html(saved)


def test_a_clinician_signs_in_without_a_code_and_sees_the_offer(page, live_server, clinic_people, check_accessibility):
    sign_in(page, live_server, "nina")
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_role("link", name="Set up a second factor")).to_be_visible()
    check_accessibility(page, "account")
