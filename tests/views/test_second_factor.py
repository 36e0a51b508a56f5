"""The second factor: enrolment, the code after the password, recovery codes, throttling, resets."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklist.demo import demo_people
from checklist.management.commands.seed_demo import DEFAULT_PASSWORD
from checklist.models import AuditEvent
from clinic.models import Membership
from clinic.services import second_factor_enrol_start
from tests.conftest import PASSWORD, login_verified, make_member, totp_now

LOGIN = reverse("login")
CODE = reverse("second-factor-verify")
ENROL = reverse("second-factor-enrol")
DASHBOARD = reverse("checklist:dashboard")


def sign_in_with_password(client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def enrolled(user) -> TOTPDevice:
    device = second_factor_enrol_start(user=user)
    device.confirmed = True
    device.save()
    return device


def unthrottle(device) -> None:
    """As if the wait after the last wrong code had passed."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - dt.timedelta(days=1)
    )


def code_post(client, code: str, **extra):
    return client.post(CODE, {"code": code, "next": DASHBOARD}, REMOTE_ADDR="10.1.2.3", **extra)


# --- Enrolment ---------------------------------------------------------------------------------


def test_an_admin_without_a_device_is_sent_to_enrol_before_any_page(client, carol):
    response = sign_in_with_password(client, "carol")
    assert response.status_code == 302
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    assert client.get(reverse("clinic:staff")).status_code == 302


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(client, carol):
    sign_in_with_password(client, "carol")
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=carol, confirmed=False)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert client.get(ENROL).content.decode().count(secret) == 1  # the same secret on a second visit

    wrong = client.post(ENROL, {"code": "000000" if totp_now(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    unthrottle(TOTPDevice.objects.get(pk=device.pk))

    done = client.post(ENROL, {"code": totp_now(device), "next": DASHBOARD})
    html = done.content.decode()
    shown = re.findall(r"<li><code[^>]*>([a-z2-7]+)</code></li>", html)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert sorted(shown) == sorted(StaticToken.objects.filter(device__user=carol).values_list("token", flat=True))
    assert len(shown) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(DASHBOARD).status_code == 200  # this session is verified
    assert AuditEvent.objects.filter(action="staff.second_factor_enrolled", detail__member="carol").exists()
    again = client.get(ENROL)
    assert again.status_code == 302 and again["Location"] == reverse("account")  # no second showing


def test_a_password_alone_cannot_replace_an_enrolled_device(client, carol):
    enrolled(carol)
    client.force_login(carol)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    assert TOTPDevice.objects.filter(user=carol).count() == 1
    assert client.post(ENROL, {"code": "123456"}).status_code == 302


def test_a_clinician_signs_in_without_a_code_and_may_enrol_from_the_account_page(client, alice):
    sign_in_with_password(client, "alice")
    assert client.get(DASHBOARD).status_code == 200
    account = client.get(reverse("account")).content.decode()
    assert f'href="{ENROL}"' in account and "Set up a second factor" in account
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=alice)
    assert client.post(ENROL, {"code": totp_now(device)}).status_code == 200
    client.post(reverse("logout"))

    sign_in_with_password(client, "alice")
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(CODE)


# --- The code after the password -----------------------------------------------------------------


def test_the_right_code_signs_in_and_goes_on_to_the_page_asked_for(client, carol):
    device = enrolled(carol)
    sign_in_with_password(client, "carol")
    page = client.get(CODE + "?next=" + reverse("clinic:staff"))
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post(CODE, {"code": totp_now(device), "next": reverse("clinic:staff")})
    assert response.status_code == 302 and response["Location"] == reverse("clinic:staff")
    assert client.get(reverse("clinic:staff")).status_code == 200


def test_a_wrong_code_is_refused_and_the_session_stays_unverified(client, carol):
    device = enrolled(carol)
    sign_in_with_password(client, "carol")
    wrong = "000000" if totp_now(device) != "000000" else "111111"
    response = code_post(client, wrong)
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302


def test_an_offsite_next_is_ignored(client, carol):
    device = enrolled(carol)
    sign_in_with_password(client, "carol")
    response = client.post(CODE, {"code": totp_now(device), "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_wrong_codes_are_throttled_even_for_the_right_code_next(client, carol):
    device = enrolled(carol)
    sign_in_with_password(client, "carol")
    code_post(client, "000000" if totp_now(device) != "000000" else "111111")
    response = code_post(client, totp_now(device))
    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    unthrottle(device)
    assert code_post(client, totp_now(device)).status_code == 302
    assert client.get(DASHBOARD).status_code == 200


def test_enough_wrong_codes_lock_the_account_like_wrong_passwords(client, carol, settings):
    device = enrolled(carol)
    sign_in_with_password(client, "carol")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = code_post(client, "999999" if totp_now(device) != "999999" else "888888")
        device.refresh_from_db()
        unthrottle(device)
    assert response.status_code == 429
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)  # signed out
    assert sign_in_with_password(client, "carol").status_code == 429  # the password is locked out too


def test_a_recovery_code_works_once(client, carol):
    enrolled(carol)
    recovery = StaticDevice.objects.create(user=carol, name="Recovery codes")
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6789")

    sign_in_with_password(client, "carol")
    response = code_post(client, "ABCD 2345", follow=True)
    assert response.redirect_chain[-1][0] == DASHBOARD
    assert "recovery code; 1 are left" in response.content.decode()
    client.post(reverse("logout"))

    sign_in_with_password(client, "carol")
    response = code_post(client, "abcd2345")
    assert response.status_code == 400
    assert client.get(DASHBOARD).status_code == 302


# --- Resets ----------------------------------------------------------------------------------------


def test_a_clinic_admin_resets_a_members_second_factor_and_it_is_audited(carol_client, alice, clinic_a):
    enrolled(alice)
    dave = make_member(clinic_a, "dave", Membership.Role.ADMIN)
    enrolled(dave)
    staff = carol_client.get(reverse("clinic:staff")).content.decode()
    url = reverse("clinic:staff-second-factor-reset", args=[alice.membership.pk])
    assert f'action="{url}"' in staff
    assert carol_client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(action="staff.second_factor_reset")
    assert event.actor.username == "carol" and event.detail["member"] == "alice"

    carol_client.post(reverse("clinic:staff-second-factor-reset", args=[dave.membership.pk]))
    carol_client.post(reverse("logout"))
    sign_in_with_password(carol_client, "alice")
    assert carol_client.get(DASHBOARD).status_code == 200  # optional for a clinician: no code now
    carol_client.post(reverse("logout"))
    sign_in_with_password(carol_client, "dave")
    response = carol_client.get(carol_client.get(DASHBOARD)["Location"])
    assert response["Location"].startswith(ENROL)  # an admin enrols again


def test_a_reset_ends_the_verified_session_of_that_person(client, carol, clinic_a):
    dave = make_member(clinic_a, "dave", Membership.Role.ADMIN)
    login_verified(client, dave)
    assert client.get(DASHBOARD).status_code == 200
    from clinic.services import second_factor_reset

    second_factor_reset(user=dave, actor=carol)
    assert client.get(DASHBOARD).status_code == 302


def test_a_clinician_cannot_reset_anyone_and_get_is_refused(client, alice, carol):
    device = enrolled(carol)
    url = reverse("clinic:staff-second-factor-reset", args=[carol.membership.pk])
    client.force_login(alice)
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    login_verified(client, carol)
    assert client.get(url).status_code == 405


# --- The Django admin ------------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    """demo-editor as ``seed_demo`` makes them, with the demo's password (the other demo people too)."""
    return demo_people(DEFAULT_PASSWORD)[3]


def test_the_admin_needs_a_verified_second_factor_for_editors(client, editor):
    client.force_login(editor)
    response = client.get("/admin/checklist/question/")
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    login_verified(client, editor)
    assert client.get("/admin/checklist/question/").status_code == 200


def test_the_admin_site_refuses_staff_without_a_verified_device():
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = type("U", (), {"is_active": True, "is_staff": True, "is_verified": lambda self: False})()
    assert admin.site.has_permission(request) is False


def test_the_demo_admin_and_editor_enrol_at_their_first_sign_in(client, editor):
    for username in ("demo-admin", "demo-editor"):
        client.post(LOGIN, {"username": username, "password": "exosafe-demo"})
        response = client.get(client.get(DASHBOARD)["Location"])
        assert response["Location"].startswith(ENROL), username
        client.post(reverse("logout"))


def test_a_superuser_resets_a_second_factor_in_the_admin_with_a_log_entry(client, editor, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123456")
    enrolled(editor)
    login_verified(client, root)
    response = client.post(
        "/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [editor.pk]}, follow=True
    )
    assert "Reset 1 second factor" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    entry = LogEntry.objects.get(object_id=str(editor.pk))
    assert entry.user == root and "Second factor reset" in entry.change_message
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404  # no unaudited door
