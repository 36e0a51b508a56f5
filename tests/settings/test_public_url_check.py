"""The deploy check refuses a public address that would be printed wrong into every signed PDF."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "production-like-secret-for-the-check-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "clinic.example",
}


def deploy_check_ids(settings, public_url: str, *, debug: bool = False) -> set[str]:
    settings.DEBUG = debug
    settings.EXOSAFE_PUBLIC_URL = public_url
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id.startswith("checklist.")}


@pytest.mark.parametrize(
    ("public_url", "error"),
    [
        ("", "checklist.E001"),
        ("http://clinic.example", "checklist.E002"),
        ("ftp://clinic.example", "checklist.E002"),
        ("clinic.example", "checklist.E002"),
        ("https://", "checklist.E002"),
        ("https://[not-an-address", "checklist.E002"),
        ("https://127.0.0.1:8000", "checklist.E003"),
        ("https://127.1.2.3", "checklist.E003"),
        ("https://localhost", "checklist.E003"),
        ("https://LOCALHOST./", "checklist.E003"),
        ("https://app.localhost", "checklist.E003"),
        ("https://[::1]:8443", "checklist.E003"),
        ("https://[::ffff:127.0.0.1]", "checklist.E003"),
        ("https://0.0.0.0", "checklist.E003"),
        ("https://user@localhost", "checklist.E003"),
    ],
)
def test_production_refuses_a_public_url_no_patient_can_use(settings, public_url, error):
    assert deploy_check_ids(settings, public_url) == {error}


@pytest.mark.parametrize(
    "public_url",
    ["https://clinic.example", "https://clinic.example:8443/exosafe", "https://192.0.2.10", "https://[2001:db8::1]"],
)
def test_production_accepts_an_https_address_others_can_reach(settings, public_url):
    assert deploy_check_ids(settings, public_url) == set()


def test_development_is_not_held_to_it(settings):
    assert deploy_check_ids(settings, "http://127.0.0.1:8000", debug=True) == set()


def test_the_check_runs_only_with_deploy(settings):
    settings.DEBUG = False
    settings.EXOSAFE_PUBLIC_URL = ""
    assert not [message for message in run_checks() if message.id.startswith("checklist.")]


def check_deploy(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "(checklist.E001) EXOSAFE_PUBLIC_URL is not set."),
        ({"EXOSAFE_PUBLIC_URL": "http://clinic.example"}, "(checklist.E002) EXOSAFE_PUBLIC_URL must be an https://"),
        (
            {"EXOSAFE_PUBLIC_URL": "https://127.0.0.1:8000"},
            "(checklist.E003) EXOSAFE_PUBLIC_URL points at this machine",
        ),
    ],
    ids=["unset", "plain-http", "loopback"],
)
def test_manage_py_check_deploy_fails(env, message):
    result = check_deploy(**env)
    assert result.returncode != 0
    assert message in result.stderr
