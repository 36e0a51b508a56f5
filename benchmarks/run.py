"""Run every benchmark, print one table and write it to ``docs/performance.md``.

``python -m benchmarks`` (what ``make bench`` runs); ``--parts 2,3`` runs some parts only and
leaves ``docs/performance.md`` alone. Part 7 runs in child runs, each on a fresh database with
the published checklist only: a new SQLite file, then a throwaway PostgreSQL server
(``scripts/with_postgres.sh``, on ``$EXOSAFE_PG_PORT``); ``python -m benchmarks --postgres``
(what ``make bench-postgres`` runs under that script) runs part 7 alone on the empty database
``DATABASE_URL`` names. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
ALL_PARTS = ("1", "2", "3", "4", "5", "6", "7")

NOTES = [
    "Every figure is a ratio of two things measured side by side in the same run, interleaved in an "
    "order shuffled every round (seeded), so that the noise of this shared machine falls on both sides "
    "and no page always follows the same one; absolute medians are for reference only.",
    "The run builds its own SQLite databases under `$EXOSAFE_BENCH_DIR` (default `/tmp/exosafe-bench`): "
    "migrate, `load_checklist`, two clinics, and a copy grown to 100,000 screenings. "
    "It never touches `db.sqlite3`. Settings: `benchmarks.settings`, the project's with `DEBUG` off, "
    "the benchmark-only views `/bench/trivial/` and `/bench/layout/`, connections kept open between "
    "requests (as production does with PostgreSQL) and SQLite in WAL mode with `synchronous=NORMAL`, so "
    "that the shared disk's latency on every commit does not swamp the app's own work.",
    "1x is the published checklist (v2, 40 questions); 5x is a version with every question, rule, key fact "
    "and acknowledgement copied five times (200 questions; its five teach-back questions once), published "
    "in a database file of its own (`x5.sqlite3`, built the same way), so that each clinic works under a "
    "published version (publishing one retires the one before). "
    "Each clinic has a draft with every answer risky and its teach-back answered, and a signed screening "
    "with its stored PDF.",
    "1. The app: a signed screening loaded and rendered to PDF bytes (`render_screening_pdf`). "
    "WeasyPrint alone: the same final HTML, stylesheets, fonts, URL fetcher and PDF variant. "
    "Cold: the first render in a fresh process, after Django is set up and modules imported.",
    "2. Queries are counted on the second of two identical requests (the published checklist is compiled "
    "once per process), session statements included; `tests/performance/test_query_ceilings.py` keeps "
    "the ceiling in `make test`. The dossier rows compare two clinics built alike in a database file of "
    "their own (`dossiers.sqlite3`): one keeping 1 product and 1 lot, one keeping 10 products and 100 "
    "lots, each with a patient screened from its first lot (every step confirmed, teach-back answered).",
    "3. Server time: requests straight into Django's WSGI handler with a real session cookie (all "
    "middleware, no test-client instrumentation); the trivial view reads and saves the session and "
    "renders nothing; the layout-only page (reference) renders `base.html` around an empty page.",
    "4. Scale: the same requests alternate between the 100-screening file and its 100,000-screening "
    "copy (older screenings spread over five years); each page compared lists as many rows in both "
    "(a full page, or the one patient searched for), so the ratio is the database's work. For the common "
    "names, the small file's older screenings are all named Ana Garcia; in the big file 15% of the patients "
    "are Garcias and one in twelve is an Ana. The last page is the one the Older link of the page before it "
    "leads to.",
    "5. Load: gunicorn (2 sync workers) on 127.0.0.1 and wrk (1 thread, 4 connections); a warm-up of "
    "3 s per URL, then 30 s each.",
    "6. Signing: the sign POST and a step save through Django's test client, interleaved in the same rounds "
    "(only the POSTs are timed: each form's data is built before, as the browser has it before it sends it) "
    "as the same sign POST by clinicians whose passwords are stored with Django's default "
    "PBKDF2PasswordHasher (1,000,000 iterations, the project's hasher before; for the record) and with MD5 "
    "(test-only, to show the app's own work); the project's settings hash with Argon2id at OWASP's "
    "parameters (19 MiB, 2 iterations, 1 lane; `clinic/hashers.py`). Sign to PDF: a "
    "real `manage.py db_worker --interval 0.25` runs beside at the lowest CPU priority "
    "(`scripts/lowest_cpu_priority.sh`: SCHED_IDLE), and the clock stops when the download "
    'answers 200. "WeasyPrint alone" here and in part 1 uses the app\'s cached stylesheet and font configuration '
    "(parsed once per process), so it is the fastest a render can be; the plain `write_pdf()` row parses "
    "the stylesheet and fonts on every call, as a naive caller would.",
    "7. Signing under load: gunicorn with 5 sync workers (its advice for 2 cores: 2 x cores + 1) serves the "
    "app on 127.0.0.1 and a real `manage.py db_worker --interval 0.25` renders each signed PDF "
    "beside it, at the lowest CPU priority (SCHED_IDLE), as `make run` does. "
    "Clinician B GETs a step page of their own draft, "
    "one GET every 50 ms, 60 per phase; "
    "clinician A signs screenings awaiting signature with real consent POSTs over HTTP (password check "
    "with the project's Argon2id included). A signing runs as the clinician's browser runs it: the POST, "
    "the screening's page it redirects to, then that page's PDF status requests (after 1 s, then 1.5 times "
    'longer each time, as `static/js/pdf_status.js` asks) until the worker has stored the PDF; "one '
    'signing" keeps one running for the whole phase, the next starting when the last is done, "two '
    'signings" two at once. The burst phases (no target, a stress test) post consents back to back without '
    "waiting for the PDF, at most 10 per loop and phase, so that the render queue grows behind them; "
    "there, each loop finishes its 10 POSTs in about a second and later GETs of B are not taken. "
    "Each of 3 rounds runs the five phases (alone, one and two signings, one and two bursts) in a shuffled "
    "order, after letting the worker's queue drain, so that B alone is alone; the p95 is over every round's "
    "GETs of a phase. Each database is fresh, with the published checklist (v2) and one clinic, in a child "
    "run: a new SQLite file (WAL, as above), then a throwaway PostgreSQL server (`scripts/with_postgres.sh`, "
    "`fsync=off`; `python -m benchmarks --postgres`, which `make bench-postgres` runs alone).",
]

LEVERS = [
    "The published checklist is compiled once per process (`checklist.selectors.checklist_spec`), "
    "keyed on the version and its library revision: a published version never changes.",
    "Only markup of published content is memoized, keyed by the frozen content itself and the language: "
    "a question's text and a finding's card (`checklist.content_markup`, which refuses any string a "
    "user typed) and the published part of a question card (`checklist.question_cards`); a card's "
    "picks, typed answer, note and errors are drawn on every request, so no process keeps a patient's "
    "answers or notes in memory between requests.",
    "Signing re-checks the clinician's password with Argon2id at OWASP's parameters, checked by "
    "libsodium (`clinic/hashers.py`, about 15 ms) rather than Django's default PBKDF2 (about 300 ms of "
    "CPU). The record it stores holds the questions shown and the sources cited; each of those is "
    "converted to JSON data once per process (`checklist.spec._shared_content_data`), and the "
    "screening's UPDATE writes the signing's own columns only (`Screening.SIGNING_FIELDS`).",
    "Part 7 on this 2-core machine: a signing that runs as a clinic runs it (the POST, then the page "
    "waiting for its PDF) costs B's page little, because the POST commits in milliseconds and the PDF "
    "is rendered by the worker at the lowest CPU priority (SCHED_IDLE), after the commit; the database "
    "write lock holds no one. The burst rows (consents posted back to back) keep both cores busy with "
    "sign POSTs (with PostgreSQL's own backends beside them on that database): B's page then shares "
    "the CPU with them, which is what their p95 shows.",
    "Queries: the signed-in user comes with their membership and clinic in one query "
    "(`clinic.auth_backends`), a screening with its jurisdiction, checklist version and dossier link "
    "(a left join: a screening typed in full needs no dossier query) in one, and its answers in one; "
    "the risk context and the teach-back texts take the country's facts from the compiled version "
    "(`checklist.selectors.screening_risk_context`), not from a query; "
    "`tests/performance/test_query_ceilings.py` keeps every page within 15.",
    "A screening's step URLs are reversed once per screening (`checklist.steps`), and the progress "
    "list is written with `format_html` rather than a template loop.",
    "The dashboard never counts the whole table (it asks for one row more than a page), and its Older and "
    "Newer links carry the key (date, id) of the row they continue from, so the last page costs what the "
    "first does. Name search walks the `ScreeningNamePrefix` index (clinic, prefix, newest first) and stops "
    "after a page of matches, however many patients share the name (`checklist.selectors.screening_search`).",
    "The PDF: WeasyPrint's font configuration and the stylesheet are loaded once per process "
    "(`checklist.pdf`), and the PDF of a signed screening is rendered once, by the background worker "
    "right after signing (`checklist.tasks`), then served from storage after its SHA-256 is checked; "
    "signing itself only commits the signature, ticks and snapshot.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--parts", default=",".join(ALL_PARTS), help="comma-separated parts to run (1-7)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="run part 7 alone on the empty PostgreSQL database DATABASE_URL names (scripts/with_postgres.sh)",
    )
    # A child run of part 7 alone on a fresh SQLite file, and where child runs write their rows.
    parser.add_argument("--signing-load-sqlite", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if set(parts) - set(ALL_PARTS):
        parser.error(f"parts are {', '.join(ALL_PARTS)}")

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ.pop("EXOSAFE_BENCH_DATABASE", None)
    os.environ.pop("EXOSAFE_BENCH_DATABASE_URL", None)
    if args.postgres:
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            parser.error("--postgres needs DATABASE_URL=postgres://...: run it under scripts/with_postgres.sh")
        os.environ["EXOSAFE_BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]
        return _signing_load_only(args.rows_json, label="PostgreSQL", port_offset=2)
    if args.signing_load_sqlite:
        return _signing_load_only(args.rows_json, label="SQLite", port_offset=1)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    from benchmarks import (
        concurrency,
        dossier_queries,
        fixtures,
        load,
        pdf_pipeline,
        queries,
        scale,
        server_time,
        signing,
    )
    from benchmarks.report import document, table

    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    workdir = Path(getattr(settings, "BENCH_DIR"))  # noqa: B009 - set by the benchmark settings only
    # Part 7 builds its own fresh databases; the others share these.
    if set(parts) - {"7"}:
        say(f"building the benchmark databases in {workdir}")
        fx = fixtures.build()
    rows = []
    if "1" in parts:
        say("1. PDF pipeline vs WeasyPrint alone")
        rows += pdf_pipeline.run(
            fx.x1.signed_id, fx.x5.signed_id, workdir, database_1x=fx.x1.database, database_5x=fx.x5.database
        )
    if "2" in parts:
        say("2. queries per page")
        rows += queries.run(fx)[0]
        rows += dossier_queries.run(fx)
    if "3" in parts:
        say("3. server time vs the trivial view")
        rows += server_time.run(fx)
    if "4" in parts:
        say("4. scale: 100 vs 100,000 screenings")
        rows += scale.run(fx)
    if "5" in parts:
        say("5. under load: gunicorn and wrk")
        rows += load.run(fx, workdir)
    if "6" in parts:
        say("6. signing: sign POST, and sign to stored PDF with a worker")
        rows += signing.run(fx, workdir)
    if "7" in parts:
        say(f"7. a step page while signings run: SQLite ({concurrency.WORKERS} gunicorn workers and a db_worker)")
        rows += _child(workdir, "SQLite", [sys.executable, "-m", "benchmarks", "--signing-load-sqlite"])
        say("7. the same on PostgreSQL (scripts/with_postgres.sh)")
        script = str(ROOT / "scripts" / "with_postgres.sh")
        rows += _child(workdir, "PostgreSQL", [script, sys.executable, "-m", "benchmarks", "--postgres"])
    elapsed = time.perf_counter() - started
    say("done")

    print(table(rows))
    missed = [r for r in rows if r.met is False]
    targets = sum(1 for r in rows if r.met is not None)
    print(f"\n{targets - len(missed)} of {targets} targets met in {elapsed / 60:.1f} minutes.")
    if parts == list(ALL_PARTS):
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(document(rows, notes=NOTES, levers=LEVERS, elapsed=elapsed), encoding="utf-8")
        print(f"Written to {DOC.relative_to(ROOT)}.")
    return 1 if missed else 0


def _signing_load_only(rows_json: Path | None, *, label: str, port_offset: int) -> int:
    import django

    django.setup()
    from django.conf import settings

    from benchmarks import concurrency, fixtures
    from benchmarks.report import table

    workdir = Path(getattr(settings, "BENCH_DIR"))  # noqa: B009 - set by the benchmark settings only
    workdir.mkdir(parents=True, exist_ok=True)
    clinic_id = fixtures.build_fresh()
    rows = concurrency.run(clinic_id, workdir, label=label, port_offset=port_offset)
    if rows_json:
        rows_json.write_text(json.dumps([dataclasses.asdict(r) for r in rows]), encoding="utf-8")
    print(table(rows))
    return 1 if any(r.met is False for r in rows) else 0


def _child(workdir: Path, label: str, command: list[str]) -> list:
    """Part 7 in a child run with its own folder (and database); its rows, or one saying it failed."""
    from benchmarks.report import Row

    folder = workdir / label.lower()
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "rows.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "EXOSAFE_BENCH_DIR": str(folder)}
    with (folder / "run.log").open("w") as log:
        done = subprocess.run(
            [*command, "--rows-json", str(out)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=1800
        )
    if not out.exists():
        return [
            Row(
                "7", f"{label}: the run failed; see {label.lower()}/run.log in the benchmark folder", "-", "runs", False
            )
        ]
    rows = [Row(**r) for r in json.loads(out.read_text(encoding="utf-8"))]
    if done.returncode not in (0, 1):
        rows.append(Row("7", f"{label}: the child run exited {done.returncode}", "-", "exit 0 or 1", False))
    return rows
