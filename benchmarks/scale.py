"""4. The same pages with 100 and with 100,000 screenings in the database.

Two SQLite files that differ only in the clinic's older screenings: the big one is a copy of
the small one, grown by 99,900 screenings spread over the five years before the run. Requests
alternate between the two files (the views close the connection after each request, so the
next one opens whichever file is current), so both sides share the machine's noise. Each page
compared shows as many rows in both files (a full page, or the one patient searched for), so
that the ratio measures the database's work, not the rendering of more rows: the small file's
older screenings all carry the common name searched for, while in the big file about 15% of the
patients share its surname (checked on every run, and shown in the table).

The last page of the dashboard is requested the way a clinician reaches it: through the "Older"
link of the page before it.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from benchmarks.fixtures import (
    BIG_TOTAL,
    COMMON_NAME,
    COMMON_SURNAME,
    SEARCH_NAME,
    SMALL_TOTAL,
    Fixtures,
    use_database,
)
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
        f"search by a common surname ({COMMON_SURNAME.lower()})": (dashboard, urlencode({"q": COMMON_SURNAME.lower()})),
        "search by a one-letter prefix": (dashboard, urlencode({"q": COMMON_SURNAME[0].lower()})),
        f"search by a common two-word name ({COMMON_NAME.lower()})": (
            dashboard,
            urlencode({"q": COMMON_NAME.lower()}),
        ),
        "filter by status": (dashboard, "status=draft"),
        "a screening's page": (reverse("checklist:screening-detail", args=[fixtures.x1.draft_id]), ""),
    }

    def request(database, path: str, query: str) -> Callable[[], object]:
        def go() -> object:
            use_database(database)
            return browser.get(path, query)

        return go

    last_pages = {database: _last_page(browser, fixtures, database) for database in (fixtures.small, fixtures.big)}
    funcs = {}
    for name, (path, query) in pages.items():
        funcs[(name, "small")] = request(fixtures.small, path, query)
        funcs[(name, "big")] = request(fixtures.big, path, query)
    funcs[(LAST_PAGE, "small")] = request(fixtures.small, dashboard, last_pages[fixtures.small])
    funcs[(LAST_PAGE, "big")] = request(fixtures.big, dashboard, last_pages[fixtures.big])
    _check_search_finds_one(browser, fixtures, pages["search by name, one patient"])
    for name, (path, query) in pages.items():
        if name.startswith("search by a"):
            _check_full_page(browser, fixtures, name, path, query)
    share = _surname_share(fixtures)
    samples = interleaved(funcs, rounds=ROUNDS)
    use_database(fixtures.small)
    rows = []
    for name in [*pages, LAST_PAGE]:
        small, big = samples[(name, "small")].median, samples[(name, "big")].median
        note = f"; {share:.1%} of the big file's patients are {COMMON_SURNAME}s" if _names_surname(name) else ""
        rows.append(
            Row(
                "4",
                f"Scale: {name}, {BIG_TOTAL:,} / {SMALL_TOTAL} screenings",
                ratio(big / small),
                f"<= {MAX_RATIO}x",
                big / small <= MAX_RATIO,
                f"{ms(big)} vs {ms(small)} (median of {ROUNDS}){note}",
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


LAST_PAGE = "dashboard, last page"
_OLDER_LINK = re.compile(r'<a class="page-link" href="\?([^"]*)">Older</a>')


def _last_page(browser: Browser, fixtures: Fixtures, database) -> str:
    """The query string of the dashboard's last page, from the "Older" link on the page before it."""
    from checklist.models import Screening

    use_database(database)
    count = Screening.objects.filter(clinic_id=fixtures.x1.clinic_id).count()
    before_last = math.ceil(count / settings.SCREENINGS_PER_PAGE) - 1
    html = browser.get(reverse("checklist:dashboard"), f"page={before_last}").decode()
    link = _OLDER_LINK.search(html)
    if link is None:
        raise AssertionError(f"page {before_last} of {database.name} has no link to an older page")
    last = html_lib.unescape(link.group(1))
    if _OLDER_LINK.search(browser.get(reverse("checklist:dashboard"), last).decode()):
        raise AssertionError(f"the page after page {before_last} of {database.name} is not the last")
    return last


def _check_full_page(browser: Browser, fixtures: Fixtures, name: str, path: str, query: str) -> None:
    """A common name lists a full page in both files, so both render as many rows."""
    for database in (fixtures.small, fixtures.big):
        use_database(database)
        html = browser.get(path, query).decode()
        if not _OLDER_LINK.search(html):
            raise AssertionError(f"{name} should list a full page, with older ones, in {database.name}")


def _surname_share(fixtures: Fixtures) -> float:
    """The share of the big file's patients (of the clinic searched) who have the common surname."""
    from checklist.models import Screening, ScreeningNamePrefix

    use_database(fixtures.big)
    clinic = fixtures.x1.clinic_id
    total = Screening.objects.filter(clinic_id=clinic).count()
    having = ScreeningNamePrefix.objects.filter(clinic_id=clinic, prefix=COMMON_SURNAME.lower()).count()
    share = having / total
    if not 0.13 <= share <= 0.17:
        raise AssertionError(f"{share:.1%} of the big file's patients are {COMMON_SURNAME}s, not about 15%")
    return share


def _names_surname(measure: str) -> bool:
    return COMMON_SURNAME.lower() in measure
