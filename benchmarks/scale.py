"""4. The same pages with 100 and with 100,000 screenings in the database.

Two SQLite files that differ only in the clinic's older screenings: the big one is a copy of
the small one, grown by 99,900 screenings spread over the five years before the run. Requests
alternate between the two files (the views close the connection after each request, so the
next one opens whichever file is current), so both sides share the machine's noise. Each page
compared shows as many rows in both files (a full page, or the one patient searched for), so
that the ratio measures the database's work, not the rendering of more rows.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse

from benchmarks.fixtures import BIG_TOTAL, SEARCH_NAME, SMALL_TOTAL, Fixtures, use_database
from benchmarks.report import Row, ms, ratio
from benchmarks.timing import Browser, interleaved

ROUNDS = 30
MAX_RATIO = 1.5


def run(fixtures: Fixtures) -> list[Row]:
    browser = Browser(fixtures.x1.session_key)
    dashboard = reverse("checklist:dashboard")
    pages = {
        "dashboard, first page": (dashboard, ""),
        "dashboard, older page": (dashboard, "page=2"),
        "search by name, one patient": (dashboard, urlencode({"q": SEARCH_NAME.split()[-1].lower()})),
        "search by reference": (dashboard, urlencode({"q": fixtures.search_reference})),
        "filter by status": (dashboard, "status=draft"),
        "a screening's page": (reverse("checklist:screening-detail", args=[fixtures.x1.draft_id]), ""),
    }

    def request(database, path: str, query: str) -> Callable[[], object]:
        def go() -> object:
            use_database(database)
            return browser.get(path, query)

        return go

    funcs = {}
    for name, (path, query) in pages.items():
        funcs[(name, "small")] = request(fixtures.small, path, query)
        funcs[(name, "big")] = request(fixtures.big, path, query)
    _check_search_finds_one(browser, fixtures, pages["search by name, one patient"])
    samples = interleaved(funcs, rounds=ROUNDS)
    use_database(fixtures.small)
    rows = []
    for name in pages:
        small, big = samples[(name, "small")].median, samples[(name, "big")].median
        rows.append(
            Row(
                "4",
                f"Scale: {name}, {BIG_TOTAL:,} / {SMALL_TOTAL} screenings",
                ratio(big / small),
                f"<= {MAX_RATIO}x",
                big / small <= MAX_RATIO,
                f"{ms(big)} vs {ms(small)} (median of {ROUNDS})",
            )
        )
    return rows


def _check_search_finds_one(browser: Browser, fixtures: Fixtures, page: tuple[str, str]) -> None:
    """The name searched for is one patient in both files: the search must really look through all."""
    for database in (fixtures.small, fixtures.big):
        use_database(database)
        html = browser.get(*page).decode()
        if html.count(SEARCH_NAME) != 1:
            raise AssertionError(f"searching {page[1]} in {database.name} should list {SEARCH_NAME} once")
