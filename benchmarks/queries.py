"""2. SQL queries per page, with the checklist at 1x and at 5x its questions.

Counted on the second of two identical requests: the published checklist is compiled once per
process, so the first request of a process pays for it once and no request after it does.
Every statement counts, the session's BEGIN/UPDATE/COMMIT included.
"""

from __future__ import annotations

from benchmarks.fixtures import Fixtures, use_database
from benchmarks.pages import clinician_pages
from benchmarks.report import Row
from benchmarks.timing import Browser

MAX_QUERIES = 15


def run(fixtures: Fixtures) -> tuple[list[Row], dict[str, list[str]]]:
    counts: dict[str, dict[str, int]] = {}
    statements: dict[str, list[str]] = {}
    for clinic in (fixtures.x1, fixtures.x5):
        use_database(clinic.database)
        browser = Browser(clinic.session_key)
        for name, path in clinician_pages(clinic).items():
            n, sql = browser.count_queries(path)
            counts.setdefault(name, {})[clinic.label] = n
            statements[f"{name} ({clinic.label})"] = sql
    use_database(fixtures.small)
    rows = []
    for name, by_size in counts.items():
        small, big = by_size["1x"], by_size["5x"]
        rows.append(
            Row(
                "2",
                f"Queries: {name} (1x / 5x checklist)",
                f"{small} / {big}",
                f"equal, <= {MAX_QUERIES}",
                small == big and max(small, big) <= MAX_QUERIES,
                f"{fixtures.x1.questions} / {fixtures.x5.questions} questions",
            )
        )
    return rows, statements
