"""Checklist v2: the corrections of the source audit are in the content, and it still reads plainly."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import textstat

from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.vocabulary import Level, Scope

FILE = load_content_file(CONTENT_DIR / "v2.yaml")
CONTENT = FILE.checklist
QUESTIONS = CONTENT.questions_by_code
JURISDICTIONS = CONTENT.jurisdictions_by_code
V1 = load_content_file(CONTENT_DIR / "v1.yaml").checklist
ALL_CODES = (
    set(QUESTIONS) | {r.code for r in CONTENT.rules} | {s.code for s in CONTENT.key_facts + CONTENT.acknowledgements}
)
# The facts and sources file the content was checked against: every web address cited must be in it.
FACTS = Path("/work/shared/content-facts.md")


def patient_texts() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(category, where, text, references) for every text a patient hears or reads."""
    out = []
    for s in CONTENT.sections:
        out.append(("sections", s.code, s.patient_intro, FILE.section_references.get(s.code, ())))
        for q in s.questions:
            out.append(("questions", q.code, q.patient_text, q.references))
            out.append(("questions", f"{q.code}.why", q.why, q.references))
            for c in q.choices:
                if c.level != Level.NONE:
                    refs = c.references or q.references
                    out.append(("flags", f"{q.code}.{c.value}", c.patient_flag, refs))
                    out.append(("flags", f"{q.code}.{c.value}.ask", c.ask, refs))
    for r in CONTENT.rules:
        out += [("flags", r.code, r.patient_flag, r.references), ("flags", f"{r.code}.ask", r.ask, r.references)]
    for j in CONTENT.jurisdictions:
        out += [
            ("jurisdictions", j.code, j.summary, j.references),
            ("jurisdictions", f"{j.code}.report", j.report_instructions, j.references),
        ]
    out += [("key_facts", f.code, f.text, f.references) for f in CONTENT.key_facts]
    out += [("acknowledgements", a.code, a.text, a.references) for a in CONTENT.acknowledgements]
    return [t for t in out if t[2]]


def test_it_is_version_two_and_v1_keeps_its_own_file():
    assert CONTENT.version_number == 2
    assert V1.key_facts[0].text.startswith("No exosome product has been approved in the US.")


def test_every_question_and_choice_of_v1_is_kept_unless_its_meaning_changed():
    assert set(QUESTIONS) == set(V1.questions_by_code)
    for code, old in V1.questions_by_code.items():
        dropped = {c.value for c in old.choices} - {c.value for c in QUESTIONS[code].choices}
        # Microneedling is asked once, as the route, no longer also as a combined treatment.
        assert dropped <= ({"microneedling"} if code == "combined_treatments" else set()), code


def test_every_question_says_whose_fact_it_is():
    expected = {
        "setting_type": Scope.CLINIC,
        "emergency_plan": Scope.CLINIC,
        "practitioner_licensed": Scope.CLINIC,
        "clinic_contact_details": Scope.CLINIC,
        "source_origin": Scope.PRODUCT,
        "donor_screening": Scope.PRODUCT,
        "characterisation": Scope.PRODUCT,
        "product_label": Scope.PRODUCT,
        "regulator_approval": Scope.PRODUCT,
        "peer_reviewed_studies": Scope.PRODUCT,
        "lot_number": Scope.LOT,
        "sterility_certificate": Scope.LOT,
        "lot_expiry_date": Scope.LOT,
        "storage_cold_chain": Scope.LOT,
        "medical_history_reviewed": Scope.PATIENT,
        "consent_copy": Scope.PATIENT,
    }
    for code, scope in expected.items():
        assert QUESTIONS[code].scope == scope, code
    assert {q.scope for q in QUESTIONS.values()} == set(Scope.values)
    text = (CONTENT_DIR / "v2.yaml").read_text()
    assert text.count("\n        scope: ") == len(QUESTIONS)


def test_the_standing_key_fact_says_it_is_not_a_cure_and_not_to_delay_proven_treatment():
    fact = next(f for f in CONTENT.key_facts if f.code == "not-a-cure")
    assert "not a cure for cancer or for any other disease" in fact.text
    assert "delay or stop a proven treatment" in fact.text
    assert "seed-faq" in fact.references
    assert "not-a-cure" in FILE.seed_coverage["faq_not_a_cure"]


def test_the_myths_weaker_points_are_stated():
    facts = {f.code: f.text for f in CONTENT.key_facts}
    assert "lower, but not zero" in facts["exosomes-not-stem-cells"]
    assert "placebo" in facts["results-gradual"] and "ingredients" in facts["results-gradual"]
    assert "not well tracked" in facts["not-risk-free"]


# The jurisdiction records (approval hedged and dated, Canada, Japan, South Korea, the UK) are
# tested on the loaded rows and the file alike in test_v2_jurisdiction_records.py.
def test_the_first_key_fact_dates_what_we_knew():
    assert "As far as we knew on 2 December 2026" in CONTENT.key_facts[0].text


def test_wording_is_neutral_and_exact():
    everything = " ".join(t[2] for t in patient_texts())
    assert "free of germs" not in everything
    assert "passed a sterility (germ) test" in QUESTIONS["sterility_certificate"].patient_text
    assert "-80 °C" in (CONTENT_DIR / "v2.yaml").read_text() and "-80 C " not in (CONTENT_DIR / "v2.yaml").read_text()
    research = QUESTIONS["product_label"].choices_by_value["research_use_only"]
    assert "not been made or checked to the standard needed for people" in research.patient_flag


def test_microneedling_is_asked_once_and_still_flagged():
    assert "microneedling" not in QUESTIONS["combined_treatments"].choices_by_value
    rule = next(r for r in CONTENT.rules if r.code == "microneedling_credit")
    assert rule.level == Level.CAUTION and rule.conditions[0].context_key == "route"


def test_none_of_these_is_exclusive():
    assert QUESTIONS["combined_treatments"].choices_by_value["none"].exclusive
    assert QUESTIONS["marketing_claims"].choices_by_value["none_of_these"].exclusive


def test_every_patient_facing_text_cites_a_source():
    texts = patient_texts()
    assert {"sections", "questions", "flags", "jurisdictions", "key_facts", "acknowledgements"} <= {t[0] for t in texts}
    for _category, where, _text, references in texts:
        assert references, where
        assert set(references) <= set(CONTENT.references), where


SEEDS = {"seed-myths-article", "seed-faq"}
# Texts that still rest on the two seed documents alone, and why: content-facts.md gives no primary
# source for them. "Other country" is the jurisdictions' owner's to cite.
SEED_ONLY_ALLOWED = {
    "evidence-early": "content-facts.md cites only the seeds for 'mostly preclinical or small studies'",
    "OTHER": "jurisdiction record (cited by its owner)",
    "OTHER.report": "jurisdiction record (cited by its owner)",
}


def test_a_text_resting_on_the_seed_documents_also_cites_a_primary_source():
    seed_only = {where for _c, where, _t, refs in patient_texts() if set(refs) <= SEEDS}
    assert seed_only <= set(SEED_ONLY_ALLOWED), sorted(seed_only - set(SEED_ONLY_ALLOWED))


def test_the_faq_points_are_in_the_seed_coverage_map():
    """Each point of the FAQ seed is covered, by content that cites the FAQ."""
    cited = {q.code: q.references for q in QUESTIONS.values()} | {
        s.code: s.references for s in CONTENT.key_facts + CONTENT.acknowledgements
    }
    faq_points = {
        "faq_what_exosomes_are",
        "faq_not_stem_cells",
        "faq_evidence_preclinical",
        "faq_not_a_cure",
        "faq_adverse_events_monitored",
    }
    assert faq_points <= set(FILE.seed_coverage)
    for point in faq_points:
        codes = FILE.seed_coverage[point]
        assert any("seed-faq" in cited.get(code, ()) for code in codes), point
    assert "not-a-cure" in FILE.seed_coverage["faq_not_a_cure"]


def test_the_storage_study_is_cited_only_for_what_it_measured():
    for _c, where, text, refs in patient_texts():
        if "plosone-2020-ev-storage" in refs:
            assert not re.search(r"expir|in date|out of date", text, re.I), where
    assert "two days in a fridge" in QUESTIONS["storage_cold_chain"].why


def test_the_myths_weaker_points_are_where_the_patient_reads_them():
    """Not only in a "why": the standing facts and the flags the patient is shown say them."""
    facts = {f.code: f.text for f in CONTENT.key_facts}
    assert "placebo" in facts["results-gradual"]
    flags = " ".join(t for c, _w, t, _r in patient_texts() if c == "flags")
    assert "not well tracked" in flags or "harder to judge" in flags
    assert "not zero" in facts["exosomes-not-stem-cells"]


def test_every_cited_web_address_is_one_the_facts_file_or_v1_already_had():
    v1_urls = {r.url for r in V1.references.values()}
    facts = FACTS.read_text() if FACTS.exists() else ""
    for ref in CONTENT.references.values():
        if ref.url and ref.url not in v1_urls:
            bare = re.sub(r"^https?://(www\.|doi\.org/)?", "", ref.url)
            assert bare in facts, ref.url


def test_every_seed_point_is_still_covered():
    for point, codes in FILE.seed_coverage.items():
        assert codes and set(codes) <= ALL_CODES, point


def test_patient_text_never_calls_anything_safe():
    assert not [w for _c, w, text, _r in patient_texts() if re.search(r"\bsafe\b", text, re.I)]


def test_every_patient_text_reads_at_median_grade_eight_and_at_most_ten():
    grades = {where: textstat.flesch_kincaid_grade(text) for _c, where, text, _r in patient_texts()}
    assert len(grades) > 250
    assert statistics.median(grades.values()) <= 8
    too_hard = {where: g for where, g in grades.items() if g > 10}
    assert not too_hard


CATEGORIES = ["sections", "questions", "flags", "jurisdictions", "key_facts", "acknowledgements"]


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_reads_at_grade_eight_overall(category):
    texts = [t for c, _w, t, _r in patient_texts() if c == category]
    assert textstat.flesch_kincaid_grade(" ".join(texts)) <= 8
