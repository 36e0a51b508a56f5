"""Every web page v2 cites carries the day it was checked, and v1 prints exactly as before.

The reference library is shared by every version, and an entry a published version cites never
changes (its drafts and legacy records read it). So v2 cites v1's web pages under codes of its
own (``<code>-checked-2026-12``), the same page with an accessed date; v1's entries are untouched.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from pypdf import PdfReader

from checklist.content_markup import content_markup_clear
from checklist.content_schema import CONTENT_DIR, load_content_file, read_yaml
from checklist.models import ChecklistVersion, Reference, Screening
from checklist.pdf import render as pdf
from checklist.selectors import checklist_spec, checklist_spec_cache_clear, screening_signed_record
from checklist.services.checklist_versions import checklist_content_publish
from checklist.spec import ChecklistSpec

V1_FILE = load_content_file(CONTENT_DIR / "v1.yaml")
V2_FILE = load_content_file(CONTENT_DIR / "v2.yaml")
V1_ENTRIES = {r["code"]: r for r in read_yaml(CONTENT_DIR / "v1.yaml")["references"]}


def is_web_page(url: str) -> bool:
    """A page whose content can change; an article cited by its DOI is fixed and has no accessed date."""
    return bool(url) and not url.startswith("https://doi.org/")


def cited_codes(spec: ChecklistSpec, section_references=None) -> set[str]:
    codes: set[str] = set()
    for section in spec.sections:
        codes.update(section.references)
        for question in section.questions:
            codes.update(question.references)
            for choice in question.choices:
                codes.update(choice.references)
    for item in (*spec.rules, *spec.key_facts, *spec.acknowledgements, *spec.teach_back, *spec.jurisdictions):
        codes.update(item.references)
    for codes_of_section in (section_references or {}).values():
        codes.update(codes_of_section)
    return codes


def test_every_web_page_v2s_file_cites_has_an_accessed_date():
    spec = V2_FILE.checklist
    web = {c for c in cited_codes(spec, V2_FILE.section_references) if is_web_page(spec.references[c].url)}
    assert len(web) >= 14  # v1's 11 pages checked again, and the 3 pages v2 added
    missing = sorted(c for c in web if not spec.references[c].accessed)
    assert not missing, f"v2 cites web pages without an accessed date: {missing}"


def test_v2_cites_none_of_v1s_web_page_entries():
    shared_web = {c for c, e in V1_ENTRIES.items() if is_web_page(e.get("url") or "")}
    assert not shared_web & cited_codes(V2_FILE.checklist, V2_FILE.section_references)


def test_v2s_copies_are_the_same_pages_with_the_day_checked():
    refs = V2_FILE.checklist.references
    copies = [code for code in refs if code.endswith("-checked-2026-12")]
    assert len(copies) == 11
    for code in copies:
        old, new = V1_ENTRIES[code.removesuffix("-checked-2026-12")], refs[code]
        assert (new.title, new.publisher, new.url) == (old["title"], old["publisher"], old["url"])
        assert new.accessed == "2026-12-02"
        # A year that only said when the page was read is not kept as a publication date.
        assert new.date == ("" if str(old["date"]) == "2026" else str(old["date"]))


def test_every_web_page_the_loaded_v2_cites_has_an_accessed_date(version_v2):
    spec = checklist_spec(version_v2)
    web = {c for c in cited_codes(spec) if is_web_page(spec.references[c].url)}
    assert web and all(spec.references[c].accessed for c in web)


def test_v1s_entries_stay_as_v1s_file_has_them(version_v2):
    for code, entry in V1_ENTRIES.items():
        row = Reference.objects.get(code=code)
        assert (row.title, row.publisher, row.date, row.url, row.accessed) == (
            entry["title"],
            entry["publisher"],
            str(entry["date"]),
            entry["url"],
            "",
        )
    v1 = ChecklistVersion.objects.get(number=1)
    assert cited_codes(checklist_spec(v1)) == cited_codes(V1_FILE.checklist)


def _references_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    squashed = " ".join(text.split())
    return squashed[squashed.rindex("References") :]


@pytest.mark.renders_pdf
def test_v1s_signed_and_draft_pdfs_print_the_same_references_after_v2_is_published(
    version, make_screening, clinic_a, alice
):
    signed = make_screening(clinic_a, alice, answers="risky", signed=True)
    draft = make_screening(clinic_a, alice, answers="risky")
    with signed.pdf.open("rb") as fh:
        stored_before = fh.read()
    signed_before = _references_text(stored_before)
    draft_before = _references_text(pdf.draft_preview_pdf(draft))
    assert "accessed" not in signed_before and "accessed" not in draft_before

    checklist_content_publish(content=V2_FILE)
    checklist_spec_cache_clear()
    content_markup_clear()

    signed = Screening.objects.select_related("clinic", "version", "jurisdiction").get(pk=signed.pk)
    with signed.pdf.open("rb") as fh:
        assert fh.read() == stored_before
    again = pdf.render_screening_pdf(signed, record=screening_signed_record(signed), draft=False)
    assert _references_text(again) == signed_before
    draft = Screening.objects.select_related("clinic", "version", "jurisdiction").get(pk=draft.pk)
    assert draft.version.number == 1
    assert _references_text(pdf.draft_preview_pdf(draft)) == draft_before


@pytest.mark.renders_pdf
def test_a_v2_pdf_prints_the_accessed_date_of_an_fda_page(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky", signed=True)
    with screening.pdf.open("rb") as fh:
        references = _references_text(fh.read())
    notice = re.search(r"\[\d+\] Public Safety Notification on Exosome Products\..*?(?=\[\d+\]|$)", references)
    assert notice, references
    assert "2019-12-06" in notice.group(0) and "(accessed 2 December 2026)" in notice.group(0), notice.group(0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_recites_a_v2_installed_with_v1s_entries(version_v2):
    """A v2 loaded from the file before it cited its own copies: its rows cite v1's entries."""
    v1_before = checklist_spec(ChecklistVersion.objects.get(number=1))
    with connection.cursor() as cursor:
        for table in ("checklist_question_references", "checklist_keyfact_references", "checklist_section_references"):
            cursor.execute(
                f"UPDATE {table} SET reference_id = (SELECT id FROM checklist_reference WHERE code = %s) "  # noqa: S608
                "WHERE reference_id = (SELECT id FROM checklist_reference WHERE code = %s)",
                ["fda-2019-exosome-notice", "fda-2019-exosome-notice-checked-2026-12"],
            )
    checklist_spec_cache_clear()
    assert not checklist_spec(version_v2).same_version_content(V2_FILE.checklist)

    call_command("migrate", "checklist", "0020_section_references", verbosity=0)
    call_command("migrate", verbosity=0)
    checklist_spec_cache_clear()
    assert checklist_spec(ChecklistVersion.objects.get(number=2)).same_version_content(V2_FILE.checklist)
    assert checklist_spec(ChecklistVersion.objects.get(number=1)) == v1_before
    call_command("load_checklist", str(CONTENT_DIR / "v2.yaml"), verbosity=0)  # finds it unchanged
