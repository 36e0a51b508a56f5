"""The v1 checklist covers what the issue asks, cites its sources, and reads plainly."""

from __future__ import annotations

import re

import pytest
import textstat

from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.vocabulary import Level

FILE = load_content_file(CONTENT_DIR / "v1.yaml")
CONTENT = FILE.checklist
QUESTIONS = CONTENT.questions_by_code
SECTIONS = CONTENT.sections_by_code
ALL_CODES = (
    set(QUESTIONS) | {r.code for r in CONTENT.rules} | {s.code for s in CONTENT.key_facts + CONTENT.acknowledgements}
)


def patient_texts() -> list[tuple[str, str, str]]:
    """(category, where, text) for every text a patient hears or reads."""
    out = []
    for s in CONTENT.sections:
        out.append(("sections", s.code, s.patient_intro))
        for q in s.questions:
            out.append(("questions", q.code, q.patient_text))
            out.append(("questions", f"{q.code}.why", q.why))
            for c in q.choices:
                if c.level != Level.NONE:
                    out.append(("flags", f"{q.code}.{c.value}", c.patient_flag))
                    out.append(("flags", f"{q.code}.{c.value}.ask", c.ask))
    for r in CONTENT.rules:
        out += [("flags", r.code, r.patient_flag), ("flags", f"{r.code}.ask", r.ask)]
    for j in CONTENT.jurisdictions:
        out += [
            ("jurisdictions", j.code, j.summary),
            ("jurisdictions", f"{j.code}.report", j.report_instructions),
        ]
    out += [("key_facts", f.code, f.text) for f in CONTENT.key_facts]
    out += [("acknowledgements", a.code, a.text) for a in CONTENT.acknowledgements]
    return [t for t in out if t[2]]


def test_it_has_the_six_sections_in_order():
    assert list(SECTIONS) == ["source", "regulatory", "evidence", "supervision", "expectations", "reporting"]
    for section in SECTIONS.values():
        assert len(section.questions) >= 4, section.code


@pytest.mark.parametrize(
    ("section", "topic_words"),
    [
        ("source", ["bone", "donor", "steril", "lot", "characteri", "cold", "thaw", "particle"]),
        ("regulatory", ["approv", "cosmetic", "trial", "investigational"]),
        ("evidence", ["peer-reviewed", "trial", "adverse", "microneedling", "cure"]),
        ("supervision", ["licensed", "spa", "allergic", "follow-up", "stem-cell"]),
        ("expectations", ["long-term", "gradual", "stem-cell", "alternative", "differ"]),
        ("reporting", ["clinic", "regulator", "report"]),
    ],
)
def test_each_section_asks_about_its_topics(section, topic_words):
    text = " ".join(
        " ".join([q.prompt, q.patient_text, *(c.label for c in q.choices)]) for q in SECTIONS[section].questions
    ).lower()
    missing = [w for w in topic_words if w.lower() not in text]
    assert not missing, f"{section} never mentions {missing}"


def test_source_question_offers_every_origin_and_flags_unknown():
    labels = " ".join(c.label.lower() for c in QUESTIONS["source_origin"].choices)
    for word in ("bone", "umbilical", "fat", "platelet", "plant", "other", "unknown"):
        assert word in labels
    unknown = next(c for c in QUESTIONS["source_origin"].choices if c.value == "unknown")
    assert unknown.level == Level.RED_FLAG


def test_cosmetic_used_invasively_is_a_red_flag_rule():
    rule = next(r for r in CONTENT.rules if r.code == "cosmetic_used_invasively")
    assert rule.level == Level.RED_FLAG
    route = next(c for c in rule.conditions if c.context_key == "route")
    assert {"injection_skin", "intravenous", "microneedling"} <= set(route.values)


def test_every_flag_has_patient_text_ask_and_a_reference():
    flagged = [c for q in QUESTIONS.values() for c in q.choices if c.level != Level.NONE] + list(CONTENT.rules)
    assert len(flagged) >= 30
    for flag in flagged:
        assert flag.patient_flag and flag.ask and flag.clinician_flag
        assert flag.references, flag


def test_every_patient_facing_statement_cites_a_reference():
    for q in QUESTIONS.values():
        assert q.references, q.code
    for item in CONTENT.key_facts + CONTENT.acknowledgements + CONTENT.jurisdictions:
        assert item.references, item.code


def test_every_seed_myth_and_safety_point_is_addressed():
    expected = {
        "myth_1_fully_safe",
        "myth_2_regulated_worldwide",
        "myth_3_same_as_stem_cells",
        "myth_4_all_equivalent",
        "myth_5_proven_and_instant",
        "safety_source_and_screening",
        "safety_regulatory_status",
        "safety_independent_data",
        "safety_uncertainties",
        "safety_medical_supervision",
        "safety_report_adverse_events",
    }
    coverage = FILE.seed_coverage
    assert set(coverage) == expected
    for point, codes in coverage.items():
        assert codes, point
        assert set(codes) <= ALL_CODES, point


def test_it_covers_the_required_jurisdictions_with_reporting_channels():
    jurisdictions = CONTENT.jurisdictions_by_code
    assert set(jurisdictions) == {"US", "UK", "EU", "JP", "AU", "CA", "KR", "OTHER"}
    assert jurisdictions["UK"].bans_human_derived_cosmetics and jurisdictions["EU"].bans_human_derived_cosmetics
    assert "medwatch" in jurisdictions["US"].report_url.lower()
    assert "yellowcard" in jurisdictions["UK"].report_url.lower()
    for j in jurisdictions.values():
        assert j.last_reviewed
        assert j.report_instructions


def test_patient_text_never_calls_anything_safe():
    offenders = [where for _category, where, text in patient_texts() if re.search(r"\bsafe\b", text, re.I)]
    assert not offenders


def test_patient_text_reads_at_grade_eight_or_lower():
    by_category: dict[str, list[str]] = {}
    for category, where, text in patient_texts():
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= 10, f"{where} reads at grade {grade}: {text}"
        by_category.setdefault(category, []).append(text)
    for category, texts in by_category.items():
        grade = textstat.flesch_kincaid_grade(" ".join(texts))
        assert grade <= 8, f"{category} reads at grade {grade} overall"
