"""The PDF reads only the app's own static files, the clinic's logo and the app's PNG data URLs.

WeasyPrint's default fetcher would read any ``file://`` URL and attach files named by
``<link rel=attachment>``; these tests prove that ours refuses, and that text typed into the
app prints as text and fetches nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import path2url

from checklist import pdf
from checklist.demo import demo_answers, demo_signature_png, sign_screening
from checklist.models import Jurisdiction
from checklist.records import ScreeningRecord
from checklist.selectors import checklist_spec
from checklist.services.screenings import AnswerInput, screening_answers_save, screening_start
from checklist.signatures import signature_data_url

PASSWD = "file:///etc/passwd"
PAYLOADS = (
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "<style>@import url(file:///etc/passwd);</style>",
    "url(file:///etc/passwd)",
    '<img src="http://127.0.0.1:9/x.png">',
    '<link rel="stylesheet" href="https://127.0.0.1:9/x.css">',
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def fetcher() -> pdf.SafeURLFetcher:
    return pdf.SafeURLFetcher()


@pytest.mark.parametrize(
    "url",
    [
        PASSWD,
        "file://localhost/etc/passwd",
        "file:///etc/hostname",
        "FILE:///etc/passwd",
        path2url(pdf.static_dir() / ".." / "manage.py"),
        path2url(pdf.static_dir()) + "/../clinic/settings.py",
        path2url(pdf.static_dir() / "css" / "consent-pdf.css") + "?x=1",
        "file://example.org" + str(pdf.static_dir() / "css" / "consent-pdf.css"),
        path2url(pdf.static_dir() / "fonts" / "OFL.txt"),  # a static file, but not a type the PDF uses
        path2url(pdf.static_dir() / "fonts" / "missing.ttf"),
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x.png",
        "data:text/html,<h1>hi</h1>",
        "data:image/svg+xml;base64," + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode(),
        "data:image/png;base64," + base64.b64encode(b"not a png").decode(),
        "data:image/png;base64,%%%not-base64%%%",
        "data:image/png," + "x" * 10,
        "javascript:alert(1)",
    ],
)
def test_it_refuses(fetcher, url):
    with pytest.raises(pdf.URLRefused):
        fetcher.fetch(url)
    assert fetcher.refused and not fetcher.served


def test_it_refuses_a_symlink_out_of_the_static_folder(tmp_path, monkeypatch):
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.css").write_text("body { color: red }")
    (tmp_path / "static" / "link.css").symlink_to(tmp_path / "secret.css")
    monkeypatch.setattr(pdf.fetcher, "static_dir", lambda: (tmp_path / "static").resolve())
    with pytest.raises(pdf.URLRefused):
        pdf.SafeURLFetcher().fetch(path2url(tmp_path / "static" / "link.css"))


def test_it_serves_the_apps_stylesheet_and_fonts_with_their_types(fetcher):
    css = fetcher.fetch(path2url(pdf.static_dir() / "css" / "consent-pdf.css"))
    assert css.content_type == "text/css" and b"@font-face" in css.read()
    font = fetcher.fetch(path2url(pdf.static_dir() / "fonts" / "NotoSans-Regular.ttf"))
    assert font.read(4) == b"\x00\x01\x00\x00"


def test_it_serves_an_app_built_png_data_url(fetcher):
    png = demo_signature_png()
    response = fetcher.fetch(signature_data_url(png))
    assert response.content_type == "image/png" and response.read() == png


def test_it_serves_the_clinics_logo_and_no_other_upload(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(demo_signature_png())
    neighbour = tmp_path / "other.png"
    neighbour.write_bytes(demo_signature_png())
    fetcher = pdf.SafeURLFetcher(extra_files=[logo])
    assert fetcher.fetch(path2url(logo)).content_type == "image/png"
    with pytest.raises(pdf.URLRefused):
        fetcher.fetch(path2url(neighbour))


def test_weasyprint_through_it_reads_nothing_from_hostile_html(tmp_path):
    hostile = f"""<!doctype html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="{PASSWD}">
      <link rel="attachment" href="{PASSWD}">
      <style>@import url("{PASSWD}"); @import url("https://127.0.0.1:9/x.css");
        body {{ background: url("http://127.0.0.1:9/bg.png") }}
        @font-face {{ font-family: x; src: url("{PASSWD}") }}
        p::after {{ content: url("{PASSWD}") }}</style></head>
      <body><p>visible</p><img src="{PASSWD}" alt="x"><img src="http://127.0.0.1:9/x.png" alt="y">
      <object data="{PASSWD}"></object><embed src="{PASSWD}"><iframe src="{PASSWD}"></iframe>
      <svg xmlns="http://www.w3.org/2000/svg"><image href="{PASSWD}" width="10" height="10"/></svg>
      </body></html>"""
    fetcher = pdf.SafeURLFetcher()
    data = HTML(string=hostile, base_url=path2url(tmp_path) + "/", url_fetcher=fetcher).write_pdf(
        pdf_variant=pdf.PDF_VARIANT
    )
    assert not fetcher.served
    assert any(PASSWD in url for url in fetcher.refused)
    assert any(url.startswith("http") for url in fetcher.refused)
    assert b"root:" not in data
    assert b"EmbeddedFiles" not in data and b"/Filespec" not in data
    assert "visible" in pdf_text(data)


def _payload_screening(clinic, clinician):
    """A screening with an injection payload in every free-text field a person can type."""
    clinic.name = "Clinic " + PAYLOADS[0]
    clinic.address = PAYLOADS[1] + "\n" + PAYLOADS[2]
    clinic.phone = PAYLOADS[3]
    clinic.adverse_event_contact = " ".join(PAYLOADS)
    clinic.save()
    screening = screening_start(
        clinic=clinic,
        clinician=clinician,
        data={
            "patient_name": "Pat " + PAYLOADS[0],
            "patient_dob": dt.date(1980, 5, 17),
            "patient_reference": PAYLOADS[3],
            "patient_language": PAYLOADS[3],
            "product_name": PAYLOADS[1],
            "product_maker": PAYLOADS[2],
            "intended_use": "other",
            "intended_use_other": PAYLOADS[4],
            "route": "other",
            "route_other": PAYLOADS[5],
            "planned_date": dt.date(2026, 12, 1),
            "jurisdiction": Jurisdiction.objects.get(code="US"),
        },
    )
    spec = checklist_spec(screening.version)
    answers = demo_answers(spec, "risky")
    for section in spec.sections:
        inputs = {
            q.code: AnswerInput(" ".join(PAYLOADS) if q.answer_type == "text" else answers[q.code], PAYLOADS[2])
            for q in section.questions
        }
        screening, _ = screening_answers_save(
            screening=screening, section_code=section.code, answers=inputs, user=clinician
        )
    return sign_screening(screening, clinician)


@pytest.mark.renders_pdf
def test_typed_text_prints_as_text_and_fetches_nothing(clinic_a, alice):
    screening = _payload_screening(clinic_a, alice)
    fetcher = pdf.SafeURLFetcher()
    data = pdf.render_screening_pdf(
        screening, record=ScreeningRecord.from_json(screening.findings_snapshot), draft=False, url_fetcher=fetcher
    )
    assert fetcher.refused == []
    assert all(url.startswith("data:image/png") for url in fetcher.served)  # the signature, nothing else
    text = squash(pdf_text(data))
    for payload in PAYLOADS:
        assert squash(payload) in text, payload
    assert "root:" not in text
    with screening.pdf.open("rb") as fh:
        stored = fh.read()
    assert b"EmbeddedFiles" not in stored and b"root:x:" not in stored


def test_the_html_escapes_every_typed_field(clinic_a, alice):
    screening = _payload_screening(clinic_a, alice)
    html, _context = pdf.render_html(
        screening, record=ScreeningRecord.from_json(screening.findings_snapshot), draft=False
    )
    for tag in ('<img src="file:', '<link rel="attachment"', "<style>@import", '<link rel="stylesheet" href="https'):
        assert tag not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_a_logo_set_on_the_clinic_is_printed_through_the_fetcher(make_screening, clinic_a, alice):
    clinic_a.logo.save("logo.png", ContentFile(demo_signature_png()), save=True)
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    fetcher = pdf.SafeURLFetcher()
    data = pdf.render_screening_pdf(
        screening, record=ScreeningRecord.from_json(screening.findings_snapshot), draft=False, url_fetcher=fetcher
    )
    assert fetcher.refused == []
    assert any(url.endswith(".png") and url.startswith("file:") for url in fetcher.served)
    images = list(PdfReader(io.BytesIO(data)).pages[0].images)
    assert images, "the logo is on the first page"
