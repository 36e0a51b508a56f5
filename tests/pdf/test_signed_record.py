"""A signed screening's record: it round-trips through JSON, and it alone prints the PDF."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from django.db import connection
from pypdf import PdfReader

from checklist import pdf
from checklist.content_markup import content_markup_clear
from checklist.models import (
    Acknowledgement,
    Choice,
    Jurisdiction,
    JurisdictionRecord,
    KeyFact,
    Question,
    Reference,
    RiskRule,
    Screening,
    Section,
)
from checklist.records import RECORD_SCHEMA, ScreeningRecord, SigningRecord
from checklist.selectors import checklist_spec, checklist_spec_cache_clear, screening_record, screening_signed_record
from tests.audit.tamper import protections_off


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _stored(screening: Screening) -> bytes:
    with screening.pdf.open("rb") as fh:
        return fh.read()


def test_the_record_round_trips_through_its_json_form(risky_signed):
    data = risky_signed.findings_snapshot
    assert data["schema"] == RECORD_SCHEMA
    record = ScreeningRecord.from_json(data)
    assert record.to_json() == data
    assert replace(record, signing=None, reflection=None) == screening_record(
        risky_signed, acknowledged=record.acknowledged
    )
    assert record.signing == SigningRecord(signed_name=risky_signed.patient_name, signer="patient")


def test_the_record_keeps_only_the_questions_shown_and_what_they_cite(risky_signed):
    record = screening_signed_record(risky_signed)
    shown = set(record.checklist.questions_by_code)
    assert shown and shown <= set(checklist_spec(risky_signed.version).questions_by_code)
    assert set(record.answers) <= shown
    cited = {code for q in record.checklist.questions for code in q.references}
    assert cited <= set(record.checklist.references)
    assert record.checklist.rules == ()


@pytest.fixture
def rewritten_content():
    """Every content row rewritten in place, below the models; the test's transaction puts them
    back, and the read models compiled meanwhile are forgotten with them."""
    _rewrite_every_content_row()
    yield
    checklist_spec_cache_clear()
    content_markup_clear()


def _rewrite_every_content_row() -> None:
    """What no editor can do through the app: change published content in place, below the models."""
    for model, fields in (
        (Section, ("title", "patient_intro")),
        (Question, ("prompt", "patient_text", "why")),
        (Choice, ("label", "patient_flag", "clinician_flag", "ask")),
        (RiskRule, ("patient_flag", "clinician_flag", "ask")),
        (KeyFact, ("text",)),
        (Acknowledgement, ("text",)),
        (Reference, ("title", "publisher")),
        (Jurisdiction, ("name",)),
        (JurisdictionRecord, ("summary", "regulator", "report_name", "report_phone", "report_instructions")),
    ):
        table = connection.ops.quote_name(model._meta.db_table)
        assignments = ", ".join(f"{connection.ops.quote_name(f)} = 'REWRITTEN'" for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {assignments}")  # noqa: S608 - names from the models
    checklist_spec_cache_clear()


@pytest.mark.renders_pdf
def test_the_signed_pdf_prints_again_the_same_after_every_content_row_changed(risky_signed, request):
    before = _text(_stored(risky_signed))
    request.getfixturevalue("rewritten_content")
    screening = Screening.objects.select_related("clinic", "version", "jurisdiction").get(pk=risky_signed.pk)
    again = pdf.render_screening_pdf(screening, record=screening_signed_record(screening), draft=False)
    after = _text(again)
    assert after == before
    assert not any("REWRITTEN" in page for page in after)
    draft_text = " ".join(_text(pdf.draft_preview_pdf(screening)))
    assert "REWRITTEN" in draft_text, "a draft preview reads today's rows; only the signed record is frozen"


def test_a_record_signed_before_the_read_model_is_read_through_its_frozen_rows(risky_signed):
    """Schema 1 (no "schema" key) kept the findings, jurisdiction and statements, not the questions."""
    record = screening_signed_record(risky_signed)
    legacy = {
        "checklist_version": record.checklist_version,
        "assessment": {
            key: record.to_json()["assessment"][key] for key in ("level", "headline", "summary", "findings")
        },
        "key_facts": [
            {"code": f.code, "text": f.text, "references": list(f.references)} for f in record.checklist.key_facts
        ],
        "jurisdiction": record.to_json()["jurisdiction"],
        "sections": [],
    }
    with protections_off():  # below the QuerySet's guard too: a row as an older release wrote it
        Screening._base_manager.filter(pk=risky_signed.pk).update(findings_snapshot=legacy)
    screening = Screening.objects.select_related("version", "jurisdiction").get(pk=risky_signed.pk)
    assert screening_signed_record(screening) == replace(
        record, signing=None, reflection=None
    )  # kept since; the PDF falls back
