"""Dated and missing-answer rule conditions, and v2's expired-lot rules that use them."""

from __future__ import annotations

import copy
import datetime as dt

import yaml
from hypothesis import given
from hypothesis import strategies as st

from checklist.content_schema import CONTENT_DIR, ContentError, load_content_file, parse_content, read_yaml
from checklist.risk import evaluate
from checklist.spec import ChecklistSpec, ConditionSpec, QuestionSpec, RuleSpec, SectionSpec
from checklist.vocabulary import Level

V2 = load_content_file(CONTENT_DIR / "v2.yaml").checklist


def checklist_with(condition: ConditionSpec) -> ChecklistSpec:
    questions = (
        QuestionSpec(code="expiry", section_code="s", answer_type="date", prompt="Expiry?"),
        QuestionSpec(code="given", section_code="s", answer_type="date", prompt="Given on?", required=False),
    )
    rule = RuleSpec(code="r", level=Level.RED_FLAG, conditions=(condition,), clinician_flag="c", patient_flag="p")
    return ChecklistSpec(
        version_number=1,
        sections=(SectionSpec(code="s", title="S", questions=questions),),
        rules=(rule,),
    )


BEFORE_FACT = checklist_with(ConditionSpec(values=frozenset(), question="expiry", before_context="planned_date"))
BEFORE_ANSWER = checklist_with(ConditionSpec(values=frozenset(), question="expiry", before_question="given"))
MISSING = checklist_with(ConditionSpec(values=frozenset(), question="expiry", missing=True))
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(dates, dates)
def test_before_a_fact_holds_exactly_when_the_first_date_is_earlier(expiry, planned):
    result = evaluate(BEFORE_FACT, {"expiry": expiry.isoformat()}, {"planned_date": planned.isoformat()})
    assert (result.level == Level.RED_FLAG) == (expiry < planned)


@given(dates, dates)
def test_before_another_answer_holds_exactly_when_the_first_date_is_earlier(expiry, given_on):
    result = evaluate(BEFORE_ANSWER, {"expiry": expiry.isoformat(), "given": given_on.isoformat()})
    assert (result.level == Level.RED_FLAG) == (expiry < given_on)


def test_a_missing_or_malformed_date_never_satisfies_before():
    for answers, context in [
        ({}, {"planned_date": "2026-12-15"}),
        ({"expiry": "2026-01-15"}, {}),
        ({"expiry": "not a date"}, {"planned_date": "2026-12-15"}),
        ({"expiry": "2026-01-15"}, {"planned_date": ""}),
    ]:
        assert evaluate(BEFORE_FACT, answers, context).level == Level.NONE


def test_missing_holds_only_without_an_answer():
    assert evaluate(MISSING, {}).level == Level.RED_FLAG
    assert evaluate(MISSING, {"expiry": ""}).level == Level.RED_FLAG
    assert evaluate(MISSING, {"expiry": "2027-01-01"}).level == Level.NONE


def _v2_answers(**overrides):
    return {"sterility_certificate": "yes", **overrides}


def test_v2_flags_a_lot_that_expires_before_the_planned_treatment_day():
    # The demo case of issue 16: expiry 15 Jan 2026, treatment on 15 Dec 2026.
    found = evaluate(V2, _v2_answers(lot_expiry_date="2026-01-15"), {"planned_date": "2026-12-15"})
    codes = {f.code: f.level for f in found.findings}
    assert codes["rule.lot_expired_before_treatment"] == Level.RED_FLAG
    assert "rule.lot_expiry_not_recorded" not in codes


def test_v2_does_not_flag_a_lot_in_date_on_the_treatment_day():
    for expiry in ("2026-12-15", "2027-06-30"):
        found = evaluate(V2, _v2_answers(lot_expiry_date=expiry), {"planned_date": "2026-12-15"})
        assert not {"rule.lot_expired_before_treatment", "rule.lot_expiry_not_recorded"} & {
            f.code for f in found.findings
        }


def test_v2_cautions_when_no_expiry_is_recorded_for_a_shown_lot():
    found = evaluate(V2, _v2_answers(), {"planned_date": "2026-12-15"})
    assert {f.code: f.level for f in found.findings}["rule.lot_expiry_not_recorded"] == Level.CAUTION
    hidden = evaluate(V2, {"sterility_certificate": "no"}, {"planned_date": "2026-12-15"})
    assert "rule.lot_expiry_not_recorded" not in {f.code for f in hidden.findings}


V2_RAW = read_yaml(CONTENT_DIR / "v2.yaml")


def _parse(condition: str):
    """v2's content with one more rule whose only condition is ``condition``."""
    raw = copy.deepcopy(V2_RAW)
    raw["rules"].append(
        {
            "code": "probe",
            "level": "caution",
            "when": [yaml.safe_load(condition)],
            "clinician_flag": "c",
            "patient_flag": "p",
            "ask": "a",
            "references": ["seed-faq"],
        }
    )
    return parse_content(raw)


def test_the_schema_reads_before_and_missing():
    rule = _parse("{question: lot_expiry_date, before: {context: planned_date}}").checklist.rules[-1]
    assert rule.conditions[0].before_context == "planned_date"
    rule = _parse("{question: lot_expiry_date, missing: true}").checklist.rules[-1]
    assert rule.conditions[0].missing


def test_the_schema_refuses_before_on_anything_but_dates():
    for bad in (
        "{question: product_label, before: {context: planned_date}}",
        "{question: lot_expiry_date, before: {context: route}}",
        "{question: lot_expiry_date, before: {question: product_label}}",
        "{question: lot_expiry_date, values: [x], missing: true}",
        "{context: planned_date, values: ['2026-01-01']}",
    ):
        try:
            _parse(bad)
        except ContentError:
            continue
        raise AssertionError(f"accepted {bad}")
