"""Sign-in throttling, idle timeout and security headers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.conftest import PASSWORD

# Sign-in and lockouts, tested with the hasher production uses.
pytestmark = pytest.mark.real_password_hasher

LOGIN = reverse("login")
ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(alice):
    """clinic/hashers.py: Argon2id, 19 MiB, 2 iterations, 1 lane."""
    assert alice.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_password_stored_with_pbkdf2_still_signs_in_and_is_upgraded(client, alice):
    from django.contrib.auth.hashers import make_password

    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save(update_fields=["password"])
    assert attempt(client, "alice", "wrong-guess").status_code == 200
    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_sha256$"), "a wrong password upgrades nothing"
    assert attempt(client, "alice", PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_argon2id_passwords_are_checked_by_libsodium_and_still_read_by_django(alice, monkeypatch):
    """clinic/hashers.py: checks go through libsodium (faster at the same parameters); the hash
    Django made is the one it checks, and Django still reads it as up to date."""
    import nacl.pwhash.argon2id
    from django.contrib.auth.hashers import get_hasher

    checked = []
    sodium_verify = nacl.pwhash.argon2id.verify

    def spy(phc: bytes, password: bytes) -> bool:
        checked.append(phc)
        return sodium_verify(phc, password)

    monkeypatch.setattr(nacl.pwhash.argon2id, "verify", spy)
    assert alice.check_password(PASSWORD)
    assert not alice.check_password(PASSWORD + "x")
    assert not alice.check_password("")
    assert checked == [alice.password.removeprefix("argon2").encode()] * 3
    assert not get_hasher("argon2").must_update(alice.password)


@pytest.mark.parametrize(
    "variety, parameters",
    [
        ("argon2id", {"time_cost": 2, "memory_cost": 102400, "parallelism": 8}),  # Django's own defaults
        ("argon2i", {"time_cost": 2, "memory_cost": 512, "parallelism": 2}),  # an old Django's variety
    ],
)
def test_argon2_hashes_made_with_other_settings_still_sign_in_and_are_upgraded(client, alice, variety, parameters):
    import argon2
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = type("OtherArgon2", (Argon2PasswordHasher,), parameters)()
    if variety == "argon2i":
        hasher.params = lambda: argon2.Parameters(  # type: ignore[method-assign]
            type=argon2.low_level.Type.I,
            version=argon2.low_level.ARGON2_VERSION,
            salt_len=16,
            hash_len=32,
            **parameters,
        )
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save(update_fields=["password"])
    assert alice.password.startswith(f"argon2${variety}$")
    assert attempt(client, "alice", "wrong-guess").status_code == 200
    alice.refresh_from_db()
    assert alice.password.startswith(f"argon2${variety}$"), "a wrong password upgrades nothing"
    assert attempt(client, "alice", PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "alice", "wrong-guess").status_code == 200
    response = attempt(client, "alice", "wrong-guess")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    # Even the right password is refused while locked.
    assert attempt(client, "alice", PASSWORD).status_code == 429


def test_an_admin_unlock_lets_the_user_back_in(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "alice", "wrong-guess")
    AccessAttempt.objects.filter(username="alice").delete()  # what "unlock" in the admin does
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 302


def test_wrong_passwords_at_signing_count_towards_the_lockout(alice_client, make_screening, clinic_a, alice, settings):
    from tests.views.helpers import consent_post

    screening = make_screening(clinic_a, alice, answers="clean")
    url = reverse("checklist:screening-consent", args=[screening.pk])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        alice_client.post(url, consent_post(screening, "wrong-guess"), REMOTE_ADDR="10.0.0.7")
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_wrong_current_passwords_at_a_password_change_lock_the_account_as_at_sign_in(alice_client, alice, settings):
    new = "a-new-unusual-passphrase-42"
    wrong = {"old_password": "wrong-guess", "new_password1": new, "new_password2": new}
    url = reverse("password_change")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = alice_client.post(url, wrong, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.content.decode()
    response = alice_client.post(url, wrong, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    # The session that guessed is over, and signing in again is locked, even with the right password.
    response = alice_client.get(reverse("checklist:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert attempt(alice_client, "alice", PASSWORD).status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD) and not alice.check_password(new)


def test_the_right_current_password_still_changes_it(alice_client, alice):
    new = "a-new-unusual-passphrase-42"
    response = alice_client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_sessions_expire_when_idle(settings, alice_client):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    alice_client.get(reverse("checklist:dashboard"))
    session = alice_client.session
    session.set_expiry(-1)
    session.save()
    response = alice_client.get(reverse("checklist:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_signing_out_ends_the_session_and_says_so_on_the_sign_in_page(alice_client):
    response = alice_client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(LOGIN, 302)]
    assert "You have signed out." in response.content.decode()
    assert "_auth_user_id" not in alice_client.session
    response = alice_client.get(reverse("checklist:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_signing_out_is_refused_by_get_so_a_link_cannot_sign_a_clinician_out(alice_client):
    assert alice_client.get(reverse("logout")).status_code == 405
    assert alice_client.get(reverse("checklist:dashboard")).status_code == 200


def test_pages_carry_strict_security_headers(alice_client):
    response = alice_client.get(reverse("checklist:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.parts[-2] == "pdf":
            continue  # the PDF is rendered by WeasyPrint, never by a browser
        text = path.read_text()
        if re.search(r"<style|\sstyle=|<script>|<script\s(?![^>]*\bsrc=)|\son[a-z]+=", text):
            offenders.append(path.name)
    assert not offenders


def test_production_settings_pass_the_deploy_check():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-like-secret-for-the-check-only-0123456789",
        "DJANGO_ALLOWED_HOSTS": "clinic.example",
        "EXOSAFE_PUBLIC_URL": "https://clinic.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
