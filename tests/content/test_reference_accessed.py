"""A web page's "accessed" date: when its content was checked, kept apart from its publication date."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from checklist.content_schema import CONTENT_DIR, ContentError, parse_content, read_yaml
from checklist.models import Reference
from checklist.selectors import checklist_spec, screening_signed_record
from checklist.spec import ReferenceSpec

V1 = CONTENT_DIR / "v1.yaml"
V1_CODES = {r["code"] for r in read_yaml(V1)["references"]}


def _with_reference(**entry) -> dict:
    raw = read_yaml(V1)
    raw["references"].append({"code": "a-web-page", "title": "A web page", **entry})
    return raw


def test_the_content_file_takes_an_accessed_date_for_a_web_page():
    raw = _with_reference(url="https://example.org/page", accessed="2026-12-02", date="2025")
    ref = parse_content(raw).checklist.references["a-web-page"]
    assert (ref.date, ref.accessed) == ("2025", "2026-12-02")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"url": "https://example.org/page", "accessed": "2026-12"}, r"references\[\d+\]\.accessed: use YYYY-MM-DD"),
        ({"accessed": "2026-12-02"}, "an accessed date needs the page's url"),
    ],
)
def test_it_refuses_an_accessed_date_that_is_not_a_day_or_not_of_a_web_page(entry, message):
    with pytest.raises(ContentError, match=message):
        parse_content(_with_reference(**entry))


def test_the_citation_says_accessed_with_the_day_and_keeps_the_publication_date_apart():
    ref = ReferenceSpec("k", "Report a side effect", "KIDS", date="2025", url="https://x.org", accessed="2026-12-02")
    assert ref.citation == "Report a side effect. KIDS. 2025 (accessed 2 December 2026)"
    assert ReferenceSpec("k", "Old", "FDA", date="2026").citation == "Old. FDA. 2026"  # as v1 printed it


def test_v1s_references_have_no_accessed_date_so_v1_prints_as_before(version):
    assert not any(ref.accessed for ref in checklist_spec(version).references.values() if ref.code in V1_CODES)


@pytest.mark.renders_pdf
def test_v2s_web_pages_print_accessed_in_the_pdf_and_on_the_page(
    version_v2, make_screening, clinic_a, alice, alice_client
):
    isscr = Reference.objects.get(code="isscr-closer-look-what-to-ask")
    assert (isscr.url, isscr.accessed, isscr.date) == (
        "https://www.closerlookatstemcells.org/What_to_Ask.html",
        "2026-12-02",
        "",
    )
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(screening.pdf.open("rb").read())).pages)
    squashed = " ".join(text.split())
    assert "(accessed 2 December 2026)" in squashed
    record = screening_signed_record(screening)
    assert any(ref.accessed == "2026-12-02" for ref in record.checklist.references.values())
    page = alice_client.get(f"/screenings/{screening.pk}/")
    assert page.status_code == 200
    assert "(accessed 2 December 2026)" in page.content.decode()
