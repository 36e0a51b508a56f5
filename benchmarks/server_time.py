"""3. Each page's median server time against the trivial view, on the same stack.

All pages and the trivial view are requested in an order shuffled every round, in one
process, through Django's WSGI handler with the same session. The trivial view reads the
session and the user and saves the session, as every page does, and renders nothing; the
layout-only page (for reference) adds the site's layout around an empty page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from benchmarks.fixtures import Fixtures
from benchmarks.pages import clinician_pages
from benchmarks.report import Row, ms, ratio
from benchmarks.timing import Browser, interleaved

ROUNDS = 40
MAX_STEP_RATIO = 3.0


def run(fixtures: Fixtures) -> list[Row]:
    browser = Browser(fixtures.x1.session_key)
    pages = {
        **clinician_pages(fixtures.x1),
        "layout only (base.html around an empty page)": reverse("bench-layout"),
        "trivial view": reverse("bench-trivial"),
    }

    def getter(path: str) -> Callable[[], object]:
        return lambda: browser.get(path)

    samples = interleaved({name: getter(path) for name, path in pages.items()}, rounds=ROUNDS)
    trivial = samples.pop("trivial view").median
    rows = []
    for name, sample in samples.items():
        value = sample.median / trivial
        is_step = name.startswith("step ")
        rows.append(
            Row(
                "3",
                f"Server time: {name} / trivial view",
                ratio(value),
                f"<= {MAX_STEP_RATIO:g}x" if is_step else "none set",
                value <= MAX_STEP_RATIO if is_step else None,
                f"{ms(sample.median)} vs {ms(trivial)} (median of {ROUNDS})",
            )
        )
    return rows
