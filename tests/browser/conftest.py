"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium. These tests
never skip silently: without Chromium they fail with a message saying how to install it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD, V1_CONTENT, make_clinic, make_member, totp_now

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls from tests that run Playwright's loop

CHROMIUM = os.environ.get("EXOSAFE_CHROMIUM", "/usr/bin/chromium")
TOOLS = Path(__file__).resolve().parent / "node_modules"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORTS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1366, 768)}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A walk through the app in a browser is the real thing: signed PDFs are rendered when
    queued (the immediate backend), as the worker beside ``make run`` would render them."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.renders_pdf)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}. Install it with: sudo apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 768, "height": 1024}, "locale": "en-GB"}


@pytest.fixture
def checklist_loaded(transactional_db):
    """Transactional tests start from an empty database: install the checklist for each one."""
    call_command("load_checklist", V1_CONTENT, verbosity=0)


@pytest.fixture
def clinic_people(checklist_loaded):
    clinic = make_clinic("Browser Clinic")
    clinician = make_member(clinic, "nina")
    admin = make_member(clinic, "omar", role="admin")
    return clinic, clinician, admin


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = TOOLS / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/browser` (make test does this).")
    return path.read_text()


@pytest.fixture
def check_accessibility(axe_source):
    """Run axe-core on the page at the WCAG 2.0/2.1/2.2 A and AA tags; fail on any violation."""

    def _check(page, label: str = "") -> None:
        page.evaluate(axe_source)
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"axe violations on {label or page.url}:\n{json.dumps(violations, indent=2)}"

    return _check


def sign_in(page, live_server, username: str, password: str = PASSWORD, *, device=None) -> None:
    """Sign in; with ``device`` (an enrolled authenticator), type its code on the code page too."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url(re.compile(r"/accounts/code/"))
        page.get_by_label("Code").fill(totp_now(device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def java_available() -> bool:
    return shutil.which("java") is not None


@pytest.fixture
def make_screening_for_browser(checklist_loaded):
    """A screening made through the services, answered and signed unless told otherwise."""
    from checklist.demo import answer_all_sections, sign_screening
    from checklist.services.screenings import screening_start
    from tests.conftest import start_data

    def _make(
        clinic,
        clinician,
        *,
        signed: bool = True,
        answered: bool = True,
        profile: str = "risky",
        decision: str = "wait",
        **overrides,
    ):
        screening = screening_start(clinic=clinic, clinician=clinician, data=start_data(**overrides))
        if answered:
            screening = answer_all_sections(screening, profile, clinician)
        if signed:
            screening = sign_screening(screening, clinician, decision=decision)
        screening.refresh_from_db()
        return screening

    return _make
