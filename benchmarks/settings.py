"""The project's settings with a throwaway database and one extra URL, the trivial view.

Production-like where it matters for timing: ``DEBUG`` off (no query log, no debug pages).
Whatever ``clinic.settings`` derives from ``DEBUG`` at import (plain static storage, no HTTPS
redirect, cookies without the Secure flag) keeps its development value, because the benchmark
talks plain HTTP on loopback.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import dj_database_url

from clinic.settings import *  # noqa: F403
from clinic.settings import BASE_DIR

BENCH_DIR = Path(os.environ.get("EXOSAFE_BENCH_DIR") or Path(tempfile.gettempdir(), "exosafe-bench")).resolve()
BENCH_DATABASE = Path(os.environ.get("EXOSAFE_BENCH_DATABASE", BENCH_DIR / "small.sqlite3")).resolve()
if (BASE_DIR / "db.sqlite3").resolve() == BENCH_DATABASE:
    raise RuntimeError("The benchmarks never use the developer's db.sqlite3; set EXOSAFE_BENCH_DIR elsewhere.")

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# `python -m benchmarks --postgres` sets this from DATABASE_URL (scripts/with_postgres.sh): the
# signing-under-load part then runs on PostgreSQL, with the connection settings clinic.settings uses.
BENCH_DATABASE_URL = os.environ.get("EXOSAFE_BENCH_DATABASE_URL", "").strip()
SQLITE_DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BENCH_DATABASE,
        "OPTIONS": {
            # As clinic.settings configures SQLite ...
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # ... but without waiting for the shared disk on every commit (the file is in WAL
            # mode), whose latency would swamp what is measured here: the app's own work.
            "init_command": "PRAGMA synchronous=NORMAL",
        },
        # Kept open between requests, as clinic.settings does for PostgreSQL (production).
        "CONN_MAX_AGE": 60,
    }
}
DATABASES = (
    {"default": dict(dj_database_url.parse(BENCH_DATABASE_URL, conn_max_age=60))}
    if BENCH_DATABASE_URL
    else SQLITE_DATABASES
)
MEDIA_ROOT = BENCH_DIR / ("media-postgres" if BENCH_DATABASE_URL else "media")

# whitenoise looks for collected static files at start-up; the benchmark requests none.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
