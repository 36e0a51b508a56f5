"""1. The PDF pipeline against WeasyPrint alone, on the very same final HTML.

"The app" is everything from a signed screening to PDF bytes: load the row, build the context
from its frozen snapshot, render the template, then WeasyPrint with the cached stylesheet and
fonts. "WeasyPrint alone" renders the HTML string the app produced, with the same stylesheets,
fonts, URL fetcher and PDF variant, and nothing of Django around it.

Cold figures come from fresh processes (``python -m benchmarks.pdf_pipeline cold ...``): Django
is set up and every module imported before the clock starts, so only the first render is timed;
WeasyPrint alone then pays for its font configuration and stylesheet parsing too, as it would.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Row, ms, ratio
from benchmarks.timing import interleaved

WARM_ROUNDS = 7
COLD_RUNS = 3
MAX_RATIO = 1.2
MAX_BYTES = 250 * 1024


def _signed_record(screening):
    from checklist.selectors import screening_signed_record

    record = screening_signed_record(screening)
    assert record is not None, "the benchmark screening is signed"
    return record


def _app(screening_id: str) -> bytes:
    from checklist.models import Screening
    from checklist.pdf import render_screening_pdf

    screening = Screening.objects.select_related("clinic", "version", "jurisdiction", "attested_by").get(
        pk=screening_id
    )
    return render_screening_pdf(screening, record=_signed_record(screening), draft=False)


def final_html(screening_id: str) -> tuple[str, list[Path], str]:
    """The HTML the app hands to WeasyPrint, the files its fetcher may serve, and the paper size."""
    from checklist.models import Screening
    from checklist.pdf import render_html

    screening = Screening.objects.select_related("clinic", "version", "jurisdiction", "attested_by").get(
        pk=screening_id
    )
    html, context = render_html(screening, record=_signed_record(screening), draft=False)
    paper = "letter" if screening.clinic.paper_size == "letter" else "a4"
    return html, context["logo_files"], paper


def _raw(html: str, logo_files: list[Path], paper: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import path2url

    from checklist import pdf
    from checklist.pdf.render import _load_assets

    assets = _load_assets()
    document = HTML(
        string=html,
        base_url=path2url(pdf.static_dir()) + "/",
        url_fetcher=pdf.SafeURLFetcher(extra_files=logo_files),
    ).render(
        stylesheets=[assets.stylesheet, assets.pages[paper]],
        font_config=assets.font_config,
        pdf_variant=pdf.PDF_VARIANT,
    )
    return document.write_pdf(pdf_variant=pdf.PDF_VARIANT)


def _fonts_embedded(data: bytes) -> tuple[int, bool]:
    """The number of pages, and whether every font the PDF uses is embedded in it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    embedded = True
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor_owner = descendants[0].get_object() if descendants else font
            descriptor = descriptor_owner.get("/FontDescriptor")
            if descriptor is None:
                continue  # Type 3 fonts are drawn, not embedded files
            descriptor = descriptor.get_object()
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                embedded = False
    return len(reader.pages), embedded


def _cold(mode: str, screening_id: str, html_path: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pdf_pipeline", "cold", mode, screening_id, str(html_path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=180,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


def run(signed_1x: str, signed_5x: str, workdir: Path, *, database_1x: Path, database_5x: Path) -> list[Row]:
    from checklist.models import Screening

    html, logo_files, paper = final_html(signed_1x)
    html_path = workdir / "final.html"
    html_path.write_text(json.dumps({"html": html, "logo_files": [str(p) for p in logo_files], "paper": paper}))

    app_bytes = _app(signed_1x)
    raw_bytes = _raw(html, logo_files, paper)
    warm = interleaved(
        {"app": lambda: _app(signed_1x), "raw": lambda: _raw(html, logo_files, paper)},
        rounds=WARM_ROUNDS,
        warmup=0,
    )
    cold: dict[str, list[float]] = {"app": [], "raw": []}
    for _ in range(COLD_RUNS):
        for mode in ("app", "raw"):
            cold[mode].append(_cold(mode, signed_1x, html_path))
    cold_app, cold_raw = sorted(cold["app"])[COLD_RUNS // 2], sorted(cold["raw"])[COLD_RUNS // 2]

    pages, embedded = _fonts_embedded(app_bytes)
    raw_pages, _ = _fonts_embedded(raw_bytes)
    from benchmarks.fixtures import use_database

    use_database(database_5x)
    stored_5x = Screening.objects.get(pk=signed_5x).pdf
    with stored_5x.open("rb") as fh:
        bytes_5x = fh.read()
    use_database(database_1x)
    pages_5x, _ = _fonts_embedded(bytes_5x)
    warm_ratio = warm["app"].median / warm["raw"].median
    size_ok = len(app_bytes) <= MAX_BYTES and embedded
    return [
        Row(
            "1",
            "PDF, warm: signed screening to bytes / WeasyPrint alone on the same HTML",
            ratio(warm_ratio),
            f"<= {MAX_RATIO}x",
            warm_ratio <= MAX_RATIO,
            f"app {ms(warm['app'].median)}, WeasyPrint {ms(warm['raw'].median)} (median of {WARM_ROUNDS})",
        ),
        Row(
            "1",
            "PDF, cold (first render in a fresh process) / WeasyPrint alone, cold",
            ratio(cold_app / cold_raw),
            "none set",
            None,
            f"app {ms(cold_app)}, WeasyPrint {ms(cold_raw)} (median of {COLD_RUNS} processes each)",
        ),
        Row(
            "1",
            "PDF, pages (published checklist, every answer risky)",
            f"{pages} pages" + ("" if pages == raw_pages else f" (WeasyPrint alone: {raw_pages})"),
            "none set",
            None,
            f"5x checklist: {pages_5x} pages",
        ),
        Row(
            "1",
            "PDF, file size with the fonts embedded",
            f"{len(app_bytes) / 1024:.0f} KB" + ("" if embedded else " (a font is NOT embedded)"),
            "<= 250 KB, fonts embedded",
            size_ok,
            f"5x checklist: {len(bytes_5x) / 1024:.0f} KB",
        ),
    ]


def _cold_main(mode: str, screening_id: str, html_path: str) -> None:
    import django

    django.setup()
    import weasyprint  # noqa: F401 - imported before the clock starts, on both sides

    import checklist.pdf  # noqa: F401

    if mode == "app":
        start = time.perf_counter()
        _app(screening_id)
    else:
        spec = json.loads(Path(html_path).read_text())
        start = time.perf_counter()
        _raw(spec["html"], [Path(p) for p in spec["logo_files"]], spec["paper"])
    print(json.dumps({"seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "cold":
        _cold_main(*sys.argv[2:])
    else:
        sys.exit("usage: python -m benchmarks.pdf_pipeline cold app|raw SCREENING_ID HTML_JSON")
