"""Shared fixtures: the v1 checklist loaded once per test database, and three standing people.

alice is a clinician of clinic A, carol is alice's clinic admin, and bob works at clinic B and
must never see anything of A's.

Clinic admins, content editors and superusers must pass a second factor before any page: sign
them in with :func:`login_verified` (or the ``carol_client`` fixture), not ``force_login`` alone,
which leaves them at the code page.
"""

from __future__ import annotations

import itertools
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections, transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklist.content_schema import CONTENT_DIR, load_content_file, parse_content, read_yaml
from checklist.demo import CLEAN_ANSWERS, RISKY_ANSWERS, answer_all_sections, demo_start_data, sign_screening
from checklist.models import ChecklistVersion, Jurisdiction, Screening
from checklist.services.checklist_versions import checklist_content_publish
from checklist.services.screenings import screening_start
from clinic.models import Clinic, Membership

PASSWORD = "correct-horse-battery-9"
# The suite runs on v1, published, unless a test asks for v2 (the ``version_v2`` fixture); tests of
# publishing load later versions themselves (tests/content/test_publishing.py).
V1_FILE = CONTENT_DIR / "v1.yaml"
V1_CONTENT = str(V1_FILE)


def load_v1() -> None:
    """Install v1 only, published (``load_checklist`` with every file would end on the newest)."""
    call_command("load_checklist", V1_CONTENT, verbosity=0)


_counter = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On PostgreSQL with two roles (DATABASE_MIGRATE_URL set), the suite connects as the tables'
    owner: it creates and migrates the test databases, and the tests that tamper on purpose switch
    the triggers off first, which only the owner can. ``migrate`` grants the runtime role its
    privileges on each test database, and tests/security/test_database_roles.py connects as that
    role to check what the app's own connection can and cannot do."""
    roles = settings.DATABASE_ROLES
    if roles is not None:
        connections["default"].close()
        connections["default"].settings_dict.update(roles["owner"])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_v1()


@pytest.fixture(autouse=True)
def _checklist_installed(django_db_setup, django_db_blocker):
    """Transactional tests (browser, backups, concurrency) empty the database when they end, and
    with several workers any test may come after one. Put the checklist back, committed, before
    the next test opens its transaction: one cheap query when it is already there."""
    with django_db_blocker.unblock():
        if not ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).exists():
            load_v1()


@pytest.fixture(autouse=True)
def _password_hasher(request, settings):
    """MD5 instead of PBKDF2, whose deliberate 0.2 s a hash was most of the suite's time.

    A test about passwords or sign-in (hashing, lockouts, changing a password) is marked
    ``@pytest.mark.real_password_hasher`` and keeps the production hasher.
    """
    if request.node.get_closest_marker("real_password_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _background_tasks(request, settings):
    """Background tasks (the signed PDF's render) are queued and left there, as in the moment
    after a real signing, before the worker takes the task: a render is a second of the suite's
    time, and most tests that sign never open the PDF.

    A test that reads the stored PDF (or anything made from it) is marked
    ``@pytest.mark.renders_pdf``, as is every browser test (tests/browser/conftest.py): its tasks
    run in-process, at once, when queued (the immediate backend).
    tests/services/test_pdf_worker.py runs the real database backend and a worker.
    """
    if request.node.get_closest_marker("renders_pdf") is not None:
        settings.TASKS = IMMEDIATE_TASKS
    else:
        settings.TASKS = QUEUED_TASKS


@pytest.fixture
def tasks_queued(settings):
    """Background tasks are queued and never run: the moment between signing and the PDF stored."""
    settings.TASKS = QUEUED_TASKS
    from django_tasks import default_task_backend

    return default_task_backend


@pytest.fixture(autouse=True)
def _on_commit_when_the_service_returns(monkeypatch):
    """Run ``transaction.on_commit`` callbacks when the outermost atomic block inside the test's
    own transaction exits, as the real commit would.

    A test runs in one transaction that is rolled back, so nothing it does ever commits and the
    signed PDF, queued on commit, would never be rendered. Callbacks of a rolled-back block are
    dropped by Django itself, as on a real rollback; transactional tests commit for real.
    """
    original_exit = transaction.Atomic.__exit__

    def exit_and_run_commit_hooks(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if (
            connection.in_atomic_block
            and connection.run_on_commit
            and not connection.needs_rollback
            and all(block._from_testcase for block in connection.atomic_blocks)
        ):
            callbacks, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, callback, _robust in callbacks:
                callback()
        return result

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_run_commit_hooks)


@pytest.fixture
def version(db) -> ChecklistVersion:
    return ChecklistVersion.objects.get(status=ChecklistVersion.Status.PUBLISHED)


def v1_raw_with_v2_teach_back() -> dict:
    """v1's content file with v2's teach-back list, and the references that list cites which v1's
    file does not have (v2 cites its own copies of web pages, with the day they were checked)."""
    raw = read_yaml(CONTENT_DIR / "v1.yaml")
    v2 = read_yaml(CONTENT_DIR / "v2.yaml")
    raw["teach_back"] = v2["teach_back"]
    cited = {code for question in v2["teach_back"] for code in question["references"]}
    known = {entry["code"] for entry in raw["references"]}
    raw["references"] += [e for e in v2["references"] if e["code"] in cited and e["code"] not in known]
    return raw


def content_with_teach_back():
    """v1's content as a version 2 with v2's teach-back list: teach-back on its own, whatever else
    v2 changes."""
    raw = v1_raw_with_v2_teach_back()
    raw["version"] = 2
    raw["change_notes"] = "v1 with teach-back questions (tests)."
    return parse_content(raw)


@pytest.fixture
def version_with_teach_back(db) -> ChecklistVersion:
    """A published version 2 with teach-back questions (v1 retired); screenings started now use it."""
    return checklist_content_publish(content=content_with_teach_back())


@pytest.fixture
def version_v2(db) -> ChecklistVersion:
    """Checklist v2 loaded from its content file, with its own jurisdiction records, and
    published (v1 retired). Its questions carry their scopes (product, lot, clinic, patient): the
    dossier tests run on it."""
    return checklist_content_publish(content=load_content_file(CONTENT_DIR / "v2.yaml"))


@pytest.fixture
def us(db) -> Jurisdiction:
    return Jurisdiction.objects.get(code="US")


def make_clinic(name: str, jurisdiction: Jurisdiction | None = None) -> Clinic:
    return Clinic.objects.create(
        name=name,
        address="1 Harbour Road\nSpringfield",
        phone="+1 555 0100",
        adverse_event_contact="Call the clinic nurse line: +1 555 0101 (9am-5pm)",
        default_jurisdiction=jurisdiction or Jurisdiction.objects.get(code="US"),
    )


def make_member(clinic: Clinic, username: str, role: str = Membership.Role.CLINICIAN):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), last_name="Tester"
    )
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture
def clinic_a(db) -> Clinic:
    return make_clinic("Clinic A")


@pytest.fixture
def clinic_b(db) -> Clinic:
    return make_clinic("Clinic B")


@pytest.fixture
def alice(clinic_a):
    return make_member(clinic_a, "alice")


@pytest.fixture
def carol(clinic_a):
    return make_member(clinic_a, "carol", Membership.Role.ADMIN)


@pytest.fixture
def bob(clinic_b):
    return make_member(clinic_b, "bob")


def login_verified(client, user) -> TOTPDevice:
    """Sign ``user`` in as if they had typed their password and a code: ``force_login`` plus a
    confirmed authenticator (made if they have none) recorded as the session's second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app would show for this device, and that it will accept now: the
    current time step's, or the next step's when this step's code was already used (a code works
    once, and the device allows one step of clock drift)."""
    device.refresh_from_db()
    step_now = int((time.time() - device.t0) // device.step) + device.drift
    return f"{hotp(device.bin_key, max(step_now, device.last_t + 1), device.digits):0{device.digits}d}"


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def carol_client(client, carol):
    login_verified(client, carol)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def start_data(**overrides) -> dict:
    return demo_start_data(**{"patient_name": f"Pat Example {next(_counter)}", **overrides})


@pytest.fixture
def make_screening(version):
    """Start a draft screening; ``answers="risky"`` or ``"clean"`` fills every section."""

    def _make(clinic: Clinic, clinician, *, answers: str | None = None, signed: bool = False, **overrides):
        screening = screening_start(clinic=clinic, clinician=clinician, data=start_data(**overrides))
        if answers:
            answer_all_sections(screening, {"risky": RISKY_ANSWERS, "clean": CLEAN_ANSWERS}[answers], clinician)
        if signed:
            screening = sign_screening(screening, clinician)
        screening.refresh_from_db()
        return screening

    return _make


@pytest.fixture
def draft(make_screening, clinic_a, alice) -> Screening:
    return make_screening(clinic_a, alice)


@pytest.fixture
def risky_signed(make_screening, clinic_a, alice) -> Screening:
    return make_screening(clinic_a, alice, answers="risky", signed=True)
