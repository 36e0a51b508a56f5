"""Hostile input to the account forms (sign-in, password change, a clinic admin's staff pages)
and to the public verification form (a code and an uploaded PDF)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import strategies as st

from checklist.forms_verify import MAX_UPLOAD_BYTES
from clinic.models import Membership
from tests.conftest import PASSWORD
from tests.security.hostile import (
    HOSTILE,
    HOSTILE_FEW,
    NASTY_STRINGS,
    accepted_text,
    assert_no_server_error,
    hostile_integers,
    hostile_text,
    rolled_back,
    world_fingerprint,
)
from tests.views.helpers import new_member

LOGIN = reverse("login")
PASSWORD_CHANGE = reverse("password_change")
STAFF = reverse("clinic:staff")
VERIFY = reverse("checklist:verify")
User = get_user_model()


def test_both_sign_in_pages_use_the_length_checking_forms():
    from django.urls import resolve

    from clinic.forms import AdminLoginForm, LoginForm

    assert resolve(LOGIN).func.view_initkwargs.get("authentication_form") is LoginForm
    assert admin.site.login_form is AdminLoginForm


# --- Sign-in --------------------------------------------------------------------------------


@HOSTILE_FEW
@given(username=st.one_of(hostile_text, st.just("alice")), password=hostile_text)
def test_sign_in_with_anything_is_refused_with_a_message(alice, username, password):
    assume(password != PASSWORD)
    with rolled_back():
        before = world_fingerprint()
        response = Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")
        assert response.status_code in (200, 429), response.status_code
        assert world_fingerprint() == before


@pytest.mark.parametrize("field", ["username", "password", "next"])
@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_sign_in_survives_nasty_strings_in_every_field(alice, field, value):
    data = {"username": "alice", "password": "wrong", "next": "/"}
    data[field] = value
    response = Client().post(LOGIN, data, REMOTE_ADDR="10.0.0.9")
    assert response.status_code in (200, 429)


@pytest.mark.parametrize("username", ["x" * 151, "x" * 5000, "é" * 1001])
def test_the_sign_in_form_refuses_an_over_long_username_before_authenticating(alice, username):
    from clinic.forms import LoginForm

    form = LoginForm(data={"username": username, "password": PASSWORD})
    assert not form.is_valid()
    assert "at most 150 characters" in str(form.errors["username"])
    assert not AccessAttempt.objects.exists()


def test_an_over_long_username_never_reaches_the_lockout_log(alice):
    response = Client().post(LOGIN, {"username": "x" * 300, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()


def test_an_over_long_username_at_the_admin_sign_in_never_reaches_the_lockout_log(db):
    response = Client().post("/admin/login/", {"username": "x" * 300, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()


def test_the_admin_sign_in_form_refuses_an_over_long_username(db):
    from clinic.forms import AdminLoginForm

    form = AdminLoginForm(data={"username": "x" * 151, "password": "x"})
    assert not form.is_valid() and "at most 150 characters" in str(form.errors["username"])


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example", "\x00/"]
)
def test_sign_in_never_redirects_off_site(alice, next_url):
    response = Client().post(LOGIN, {"username": "alice", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")


def test_the_sign_in_page_escapes_what_was_typed(db):
    typed = '"><script>alert(1)</script>'
    html = Client().post(LOGIN, {"username": typed, "password": "x"}).content.decode()
    assert escape(typed) in html and typed not in html


# --- Password change -----------------------------------------------------------------------


@HOSTILE_FEW
@given(old=st.one_of(hostile_text, st.just(PASSWORD)), new1=hostile_text, new2=st.one_of(hostile_text, st.just("")))
def test_a_password_change_with_anything_never_fails(alice, old, new1, new2):
    with rolled_back():
        # A fresh session each time, from the stored password hash: a successful change replaces
        # the session and the hash, and the rollback undoes both.
        alice.refresh_from_db()
        client = Client()
        client.force_login(alice)
        response = client.post(
            PASSWORD_CHANGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
        )
        assert_no_server_error(response)
        alice.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == reverse("password_change_done")
            assert old == PASSWORD and alice.check_password(new1)
            assert "\x00" not in new1
        else:
            assert response.status_code == 200
            assert alice.check_password(PASSWORD)


@pytest.mark.real_password_hasher
def test_a_password_with_a_nul_byte_is_refused(alice_client, alice):
    new = "a-long-unusual-passphrase\x0042"
    response = alice_client.post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.real_password_hasher
def test_password_change_needs_a_signed_in_user(client, alice):
    response = client.post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password1": "x", "new_password2": "x"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- Staff: create ---------------------------------------------------------------------------


@HOSTILE
@given(field=st.sampled_from(["username", "first_name", "last_name", "email", "role"]), value=hostile_text)
def test_adding_staff_with_hostile_text_stores_it_cleanly_or_refuses(carol_client, carol, field, value):
    with rolled_back():
        before = world_fingerprint()
        response = carol_client.post(STAFF, new_member(**{field: value}))
        assert_no_server_error(response)
        if response.status_code == 302:
            user = Membership.objects.exclude(user=carol).get(clinic=carol.membership.clinic).user
            if field in ("first_name", "last_name"):
                assert getattr(user, field) == accepted_text(value, max_length=150, required=True)
            if field == "username":
                assert user.username == User.normalize_username(value.strip())
            html = carol_client.get(STAFF).content.decode()
            assert escape(user.username) in html
        else:
            assert response.status_code == 400
            assert world_fingerprint() == before


@pytest.mark.parametrize(
    "username",
    ["CAROL", "carol ", "ｃａｒｏｌ", "carol\u200b", "car\x00ol", "alice\n"],  # noqa: RUF001 - look-alikes on purpose
)
def test_a_username_that_is_taken_in_disguise_is_refused(carol_client, carol, alice, username):
    before = world_fingerprint()
    response = carol_client.post(STAFF, new_member(username=username))
    assert response.status_code == 400
    assert world_fingerprint() == before


@pytest.mark.parametrize("value", ["Eve\x1b[2J", "Eve\x07", "Eve\u202e"[:3] + "\x7f"])
def test_control_characters_in_staff_names_are_refused(carol_client, value):
    for field in ("first_name", "last_name"):
        response = carol_client.post(STAFF, new_member(**{field: value}))
        assert response.status_code == 400
        assert "control characters" in response.content.decode()
    assert not User.objects.filter(username="newnurse").exists()


def test_staff_are_always_added_to_the_admins_own_clinic(carol_client, carol, clinic_b):
    response = carol_client.post(STAFF, new_member(clinic=clinic_b.pk, clinic_id=clinic_b.pk, is_superuser="on"))
    assert response.status_code == 302
    user = User.objects.get(username="newnurse")
    assert user.membership.clinic == carol.membership.clinic
    assert not user.is_superuser and not user.is_staff


# --- Staff: update -------------------------------------------------------------------------


@HOSTILE
@given(role=st.one_of(hostile_text, st.sampled_from(["clinician", "admin", "superuser", "ADMIN"])), active=hostile_text)
def test_changing_a_role_accepts_only_the_listed_roles(carol_client, alice, role, active):
    url = reverse("clinic:staff-update", args=[alice.membership.pk])
    with rolled_back():
        before = world_fingerprint()
        response = carol_client.post(url, {"role": role, "is_active": active})
        assert response.status_code == 302
        alice.membership.refresh_from_db()
        if role in ("clinician", "admin"):
            assert alice.membership.role == role
        else:
            assert world_fingerprint() == before


@HOSTILE
@given(membership_id=hostile_integers)
def test_a_membership_id_that_is_not_one_is_404(carol_client, alice, bob, membership_id):
    own = set(Membership.objects.filter(clinic=alice.membership.clinic).values_list("pk", flat=True))
    assume(not (membership_id.isascii() and membership_id.isdigit() and int(membership_id) in own))
    with rolled_back():
        before = world_fingerprint()
        response = carol_client.post(f"/staff/{quote(membership_id, safe='')}/", {"role": "admin", "is_active": "on"})
        assert response.status_code == 404
        assert world_fingerprint() == before


def test_another_clinics_member_is_404_even_for_an_admin(carol_client, bob):
    before = world_fingerprint()
    url = reverse("clinic:staff-update", args=[bob.membership.pk])
    assert carol_client.post(url, {"role": "admin", "is_active": "on"}).status_code == 404
    assert world_fingerprint() == before


def test_a_clinician_cannot_promote_themself(alice_client, alice):
    url = reverse("clinic:staff-update", args=[alice.membership.pk])
    assert alice_client.post(url, {"role": "admin", "is_active": "on"}).status_code == 403
    alice.membership.refresh_from_db()
    assert alice.membership.role == "clinician"


# --- The public verification form --------------------------------------------------------------


@HOSTILE
@given(code=hostile_text)
def test_any_code_gets_a_message_never_an_error(db, code):
    response = Client().post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode() or "No signed document" in response.content.decode()


@HOSTILE
@given(code=hostile_text)
def test_any_code_in_the_address_is_404(db, code):
    assert Client().get(f"/verify/{quote(code, safe='')}/").status_code == 404


@pytest.fixture
def signed(make_screening, clinic_a, alice, stub_pdf):
    return make_screening(clinic_a, alice, answers="clean", signed=True)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
        SimpleUploadedFile("not-a-pdf.pdf", b"MZ\x90\x00 windows executable", content_type="application/pdf"),
        SimpleUploadedFile('"><img src=x onerror=alert(1)>.pdf', b"%PDF-1.4", content_type="application/pdf"),
        SimpleUploadedFile("../../etc/passwd", b"root:x:0:0", content_type="text/plain"),
        SimpleUploadedFile("x" * 300 + ".pdf", b"%PDF-1.4", content_type="application/pdf"),
        SimpleUploadedFile("\u202efdp.exe", b"%PDF-1.4", content_type="application/pdf"),
    ],
    ids=["empty", "executable", "html-name", "path-name", "long-name", "rtl-name"],
)
def test_any_uploaded_file_is_only_hashed_and_compared(client, signed, upload):
    response = client.post(VERIFY, {"code": signed.verification_code, "document": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This file is NOT the document that was issued with this code." in html or "empty" in html
    assert "<img src=x" not in html


def test_an_upload_over_the_limit_is_refused_with_a_message(client, signed):
    just_over = SimpleUploadedFile("big.pdf", b"0" * (MAX_UPLOAD_BYTES + 1), content_type="application/pdf")
    response = client.post(VERIFY, {"code": signed.verification_code, "document": just_over})
    assert response.status_code == 200 and "larger than 10 MB" in response.content.decode()
    far_over = SimpleUploadedFile("big.pdf", b"0" * (MAX_UPLOAD_BYTES + 128 * 1024), content_type="application/pdf")
    response = client.post(VERIFY, {"code": signed.verification_code, "document": far_over})
    assert response.status_code == 413 and "larger than 10 MB" in response.content.decode()


def test_a_malformed_multipart_body_is_a_400(client, db):
    response = client.generic(
        "POST",
        VERIFY,
        b'--xyz\r\nContent-Disposition: form-data; name="code"\r\n\r\nAAAA',
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code in (200, 400)
    response = client.generic("POST", VERIFY, b"garbage", content_type="multipart/form-data")
    assert response.status_code == 400


def test_verification_is_read_only(client, signed):
    before = world_fingerprint()
    for code in (signed.verification_code, "0000000000", "' OR 1=1 --"):
        client.post(VERIFY, {"code": code})
        client.get(f"/verify/{code}/")
    assert world_fingerprint() == before
