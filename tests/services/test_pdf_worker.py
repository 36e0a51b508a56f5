"""End to end with the real queue: the database task backend and a `db_worker` process.

The rest of the suite queues tasks and never runs them, or runs them at once in-process
(tests/conftest.py). Here a fresh SQLite file is migrated and two screenings are signed in it (one
then voided), which queues their PDFs; then a real `manage.py db_worker --batch` process empties
the queue, and the stored PDF is downloadable. Two signings, not the whole demo: each PDF the
worker renders costs about a second.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def sign_two_and_void_one() -> None:
    """Run in the migrated file through ``manage.py shell``: two signed screenings, one voided."""
    from checklist.demo import answer_all_sections, demo_start_data, sign_screening
    from checklist.services.screenings import screening_start, screening_void
    from clinic.models import Membership
    from tests.conftest import make_clinic, make_member

    clinic = make_clinic("Worker Test Clinic")
    clinician = make_member(clinic, "worker-clinician")
    admin = make_member(clinic, "worker-admin", Membership.Role.ADMIN)
    signed = []
    for name, profile in (("Pat Worker", "clean"), ("Robin Worker", "risky")):
        screening = screening_start(clinic=clinic, clinician=clinician, data=demo_start_data(patient_name=name))
        answer_all_sections(screening, profile, clinician)
        signed.append(sign_screening(screening, clinician))
    screening_void(screening=signed[1], user=admin, reason="Signed under the wrong record (worker test).")


def test_a_db_worker_process_stores_the_signed_pdfs(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_MIGRATE_URL", None)  # the PostgreSQL suite's owner role; this run is on SQLite
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_checklist", "-v0")
    manage(env, "shell", "-c", f"from {__name__} import sign_two_and_void_one; sign_two_and_void_one()")

    with sqlite3.connect(database) as db:
        # A voided screening's PDF is queued all the same.
        signed = db.execute(
            "SELECT reference FROM checklist_screening WHERE status IN ('signed', 'voided') AND pdf_sha256 = ''"
        )
        references = [row[0] for row in signed]
        queued = db.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        ).fetchone()[0]
    assert len(references) == 2 and queued == 2

    manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")

    with sqlite3.connect(database) as db:
        left = db.execute(
            "SELECT count(*) FROM checklist_screening WHERE status IN ('signed', 'voided') AND pdf_sha256 = ''"
        )
        assert left.fetchone()[0] == 0
        renders = db.execute("SELECT DISTINCT status FROM checklist_signedpdfrender").fetchall()
        assert renders == [("stored",)]
    output = tmp_path / "out.pdf"
    result = manage(env, "screening_pdf", references[0], "-o", str(output))
    assert "as stored at signing" in result.stdout
    assert Path(output).read_bytes().startswith(b"%PDF-")
