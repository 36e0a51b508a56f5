"""The settings `make run` uses (DJANGO_DEBUG=0, EXOSAFE_DEMO=1): the app's own error pages as in
production, static files still served by WhiteNoise, plain http allowed, never deployable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_ENV = {"DJANGO_DEBUG": "0", "EXOSAFE_DEMO": "1", "DJANGO_SECRET_KEY": "demo-" + "k" * 60}

# Requests through the whole middleware stack, in a fresh process with the demo's settings.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
missing = client.get("/no-such-page/")
static = client.get("/static/css/app.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "missing_status": missing.status_code,
    "missing_html": missing.content.decode(),
    "static_status": static.status_code,
    "static_type": static.headers.get("Content-Type", ""),
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "public_url": settings.EXOSAFE_PUBLIC_URL,
}))
"""


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EXOSAFE_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_shows_the_apps_own_not_found_page_and_serves_static_files():
    result = run_with(DEMO_ENV, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["missing_status"] == 404
    assert "<title>Not found · ExoSafe</title>" in seen["missing_html"]
    assert "Django tried these URL patterns" not in seen["missing_html"]
    assert seen["static_status"] == 200 and seen["static_type"].startswith("text/css")
    # Plain http on this machine or the clinic's network: sign-in cookies must reach the server.
    assert seen["cookies_secure"] == [False, False]
    assert seen["ssl_redirect"] is False and seen["hsts"] == 0
    assert seen["public_url"] == "http://127.0.0.1:8000"


def test_the_demo_is_refused_by_the_deploy_check():
    result = run_with(
        {**DEMO_ENV, "EXOSAFE_PUBLIC_URL": "https://clinic.example", "DJANGO_ALLOWED_HOSTS": "clinic.example"},
        "manage.py",
        "check",
        "--deploy",
    )
    assert result.returncode != 0
    assert "checklist.E004" in result.stderr and "EXOSAFE_DEMO is on" in result.stderr
