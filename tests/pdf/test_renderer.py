"""The take-home PDF: what it says, on which pages, and what kind of file it is."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.files.storage import default_storage
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from checklist import pdf
from checklist.models import Screening
from checklist.pdf.context import _reference_lines, reference_columns
from checklist.pdf.render import render_html
from checklist.records import ScreeningRecord
from checklist.selectors import screening_record
from checklist.services.screenings import screening_void


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    """Text without whitespace, so wrapped lines still match."""
    return re.sub(r"\s+", "", text)


def stored_bytes(screening: Screening) -> bytes:
    with screening.pdf.open("rb") as fh:
        return fh.read()


@pytest.fixture
def clean_signed(make_screening, clinic_a, alice) -> Screening:
    """A signed screening with no flags: the shortest document, for tests of storage."""
    return make_screening(clinic_a, alice, answers="clean", signed=True)


@pytest.mark.renders_pdf
def test_it_prints_the_patient_every_finding_the_reporting_channel_the_acknowledgements_and_the_code(risky_document):
    doc = risky_document
    text = squash(" ".join(pages_text(doc.pdf)))
    snapshot = doc.snapshot
    findings = snapshot["assessment"]["findings"]
    assert findings, "the risky answers should raise findings"
    assert squash(doc.patient_name) in text
    for finding in findings:
        assert squash(finding["patient_text"]) in text, finding["code"]
        assert squash(finding["ask"]) in text, finding["code"]
    jurisdiction = snapshot["jurisdiction"]
    for key in ("report_name", "report_url", "report_phone"):
        assert jurisdiction[key] and squash(jurisdiction[key]) in text, key
    for ack in doc.record.checklist.acknowledgements:
        assert squash(ack.text) in text
    for fact in doc.record.checklist.key_facts:
        assert squash(fact.text) in text
    assert doc.verification_code in text
    assert squash(doc.adverse_event_contact) in text
    assert squash(snapshot["jurisdiction"]["summary"]) in text
    reviewed = dt.date.fromisoformat(jurisdiction["last_reviewed"])
    assert squash(f"last reviewed on {reviewed.day} {reviewed:%B %Y}") in text


@pytest.mark.renders_pdf
def test_its_page_count_is_sane(risky_document):
    count = len(PdfReader(io.BytesIO(risky_document.pdf)).pages)
    assert 4 <= count <= 30


@pytest.mark.renders_pdf
def test_every_page_names_clinic_patient_page_version_and_reference(risky_document):
    doc = risky_document
    pages = pages_text(doc.pdf)
    version = doc.record.checklist_version
    for number, page in enumerate(pages, start=1):
        assert doc.clinic_name in page, number
        assert doc.patient_name in page, number
        assert f"Page {number} of {len(pages)}" in page, number
        assert f"Checklist version {version}" in page, number
        assert doc.reference in page, number


@pytest.mark.renders_pdf
def test_it_is_stored_once_with_its_sha256(clean_signed):
    data = stored_bytes(clean_signed)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == clean_signed.pdf_sha256
    assert clean_signed.pdf.name.endswith(f"{clean_signed.reference}.pdf")
    assert default_storage.exists(clean_signed.pdf.name)


def test_the_draft_preview_is_marked_on_every_page_and_never_stored(make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="risky")
    assert not draft.is_locked
    data = pdf.draft_preview_pdf(draft)
    pages = pages_text(data)
    assert all("DRAFT — not signed" in page for page in pages)
    draft.refresh_from_db()
    assert not draft.pdf and not draft.pdf_sha256 and not draft.verification_code
    assert "Verification code:" not in " ".join(pages)


@pytest.mark.renders_pdf
def test_the_signed_document_carries_no_draft_mark(risky_document):
    assert "DRAFT" not in " ".join(pages_text(risky_document.pdf))


@pytest.mark.renders_pdf
def test_it_is_an_archival_tagged_pdf_with_title_language_and_author(risky_document):
    reader = PdfReader(io.BytesIO(risky_document.pdf))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == f"Risk summary and consent record {risky_document.reference}"
    assert reader.metadata.author == risky_document.clinic_name
    assert reader.metadata.creator == "ExoSafe"
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/StructTreeRoot" in root
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert "EmbeddedFiles" not in str(root.get("/Names", {}))


def _struct_elements(node, found):
    node = node.get_object()
    if not isinstance(node, dict):
        return found
    if "/S" in node:
        found.append(node)
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        if hasattr(kid, "get_object"):
            _struct_elements(kid, found)
    return found


@pytest.mark.renders_pdf
def test_its_tags_give_headings_tables_and_described_images(risky_document):
    reader = PdfReader(io.BytesIO(risky_document.pdf))
    elements = _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"], [])
    kinds = {e["/S"] for e in elements}
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/L", "/LI", "/Figure"} <= kinds
    alts = [str(e.get("/Alt", "")) for e in elements if e["/S"] == "/Figure"]
    assert all(alts), "every figure has alternative text"
    assert f"Signature drawn by {risky_document.patient_signed_name}" in alts
    assert any(alt.startswith("QR code linking to") for alt in alts)


@pytest.mark.renders_pdf
def test_its_fonts_are_the_shipped_ones_embedded_and_subset(risky_document):
    reader = PdfReader(io.BytesIO(risky_document.pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        descriptor = descriptor.get_object()
        assert re.match(r"^/[A-Z]{6}\+ExoSafe-Sans", name), name  # subset prefix, our @font-face family
        assert "/FontFile2" in descriptor, name  # the TrueType program is embedded
        assert len(descriptor["/FontFile2"].get_object().get_data()) < 200_000, "subset, not the whole font"


@pytest.mark.renders_pdf
def test_the_signature_image_is_embedded(risky_document):
    reader = PdfReader(io.BytesIO(risky_document.pdf))
    sizes = {(image.image.width, image.image.height) for page in reader.pages for image in page.images}
    assert (600, 180) in sizes  # demo_signature_png()


def test_references_are_numbered_in_order_of_first_citation(make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="risky")
    context = pdf.build_context(draft, record=screening_record(draft), draft=True)
    numbers = [ref["number"] for ref in context["references"]]
    assert numbers == list(range(1, len(numbers) + 1))
    cited: list[int] = []
    # Page 1 first: the key information (each point, then its lines) and the red flags.
    for point in context["key_info"]:
        cited += point["refs"]
        for line in point["lines"]:
            cited += line["refs"]
    for flag in context["red_flags"]:
        cited += flag["refs"]
    assert cited[0] == 1
    for group in context["findings"]:
        cited += group["why_refs"]  # "Why it matters" cites the question's sources before its findings
        for item in group["items"]:
            cited += item["refs"]
    for fact in context["key_facts"]:
        cited += fact["refs"]
    cited += context["jurisdiction"]["refs"]
    for ack in context["acknowledgements"]:
        cited += ack["refs"]
    first_seen = list(dict.fromkeys(cited))
    assert first_seen == numbers, "each new reference takes the next number"
    assert all(ack["refs"] for ack in context["acknowledgements"]), "acknowledgements cite their sources"


@pytest.mark.renders_pdf
def test_the_summary_never_calls_anything_safe(make_screening, clinic_a, alice):
    clean = make_screening(clinic_a, alice, answers="clean", signed=True)
    context = pdf.build_context(clean, record=ScreeningRecord.from_json(clean.findings_snapshot), draft=False)
    risk = context["risk"]
    for words in (risk["headline"], risk["level_label"], risk["summary"]):
        assert "safe" not in words.lower()
    for point in context["key_info"]:
        assert "safe" not in point["text"].lower(), point["code"]
    page_one = squash(pages_text(stored_bytes(clean))[0])
    concerns = next(p for p in context["key_info"] if p["code"] == "concerns")
    assert squash(concerns["text"]) in page_one


@pytest.mark.parametrize(("paper", "size"), [("letter", (612, 792)), ("a4", (595, 842))])
@pytest.mark.renders_pdf
def test_the_paper_size_follows_the_clinic(make_screening, clinic_a, alice, paper, size):
    clinic_a.paper_size = paper
    clinic_a.save()
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    box = PdfReader(io.BytesIO(stored_bytes(screening))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_the_verification_link_uses_the_public_url_setting(settings):
    settings.EXOSAFE_PUBLIC_URL = "https://exosafe.example.org/"
    assert pdf.verification_url("7K3M9QX2TB") == "https://exosafe.example.org/verify/7K3M9QX2TB/"
    svg = pdf.verification_qr_svg(pdf.verification_url("7K3M9QX2TB"))
    assert svg.startswith("<svg") and "<title>QR code linking to https://exosafe.example.org/verify/" in svg


@pytest.mark.renders_pdf
def test_a_voided_screening_keeps_its_document_unchanged(clean_signed, alice):
    before = stored_bytes(clean_signed)
    voided = screening_void(screening=clean_signed, user=alice, reason="Wrong patient chosen")
    assert stored_bytes(voided) == before
    assert voided.pdf_sha256 == hashlib.sha256(before).hexdigest()


reference_entries = st.lists(
    st.builds(
        dict,
        number=st.just(0),
        title=st.text(min_size=1, max_size=300),
        publisher=st.text(max_size=80),
        url=st.text(max_size=200),
    ),
    max_size=60,
)


@given(reference_entries)
def test_the_references_split_into_two_columns_in_order_as_evenly_as_any_split(entries):
    left, right = reference_columns(entries)
    assert left + right == entries
    lines = [_reference_lines(e) for e in entries]
    taller = max(sum(lines[: len(left)]), sum(lines[len(left) :]))
    assert taller == min(max(sum(lines[:k]), sum(lines[k:])) for k in range(len(entries) + 1))


def test_the_references_print_as_two_lists_reading_down_the_left_then_the_right(make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="risky")
    html, context = render_html(draft, record=screening_record(draft), draft=True)
    lists = re.findall(r'<ol class="refs">(.*?)</ol>', html, flags=re.S)
    numbers = [[int(n) for n in re.findall(r'<li value="(\d+)">', column)] for column in lists]
    assert len(numbers) == 2 and all(numbers)
    assert numbers[0] + numbers[1] == list(range(1, len(context["references"]) + 1))
