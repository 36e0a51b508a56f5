"""The risk engine: every flag fires, hidden questions stay silent, and the wording never says "safe"."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklist.risk import (
    ChecklistSpec,
    ChoiceSpec,
    ConditionSpec,
    Level,
    QuestionSpec,
    RuleSpec,
    SectionSpec,
    evaluate,
    missing_required,
    visible_question_codes,
)
from checklist.selectors import checklist_spec

CONTEXT = {
    "route": "topical",
    "intended_use": "skin",
    "jurisdiction": "US",
    "jurisdiction_bans_human_cosmetics": "no",
    "jurisdiction_no_approved_products": "yes",
}
ROUTES = ["topical", "microneedling", "injection_skin", "injection_joint", "intravenous", "inhaled", "other"]


def tiny_checklist() -> ChecklistSpec:
    yes_no = (
        ChoiceSpec("yes", "Yes"),
        ChoiceSpec("no", "No", Level.RED_FLAG, "No screening", "Not screened", "Ask for it", ("r1",)),
        ChoiceSpec("unsure", "Not sure", Level.CAUTION, "Unsure", "Unknown", "Ask", ("r1",)),
    )
    return ChecklistSpec(
        version_number=1,
        sections=(
            SectionSpec(
                "s",
                "Section",
                (
                    QuestionSpec("screened", "s", "yes_no_unsure", "Screened?", choices=yes_no),
                    QuestionSpec(
                        "label",
                        "s",
                        "single",
                        "Label?",
                        choices=(ChoiceSpec("cosmetic", "Cosmetic"), ChoiceSpec("medicine", "Medicine")),
                    ),
                    QuestionSpec(
                        "followup",
                        "s",
                        "yes_no_unsure",
                        "Follow-up?",
                        depends_on="screened",
                        depends_on_values=frozenset({"yes"}),
                        choices=yes_no,
                    ),
                    QuestionSpec(
                        "detail",
                        "s",
                        "text",
                        "Detail",
                        required=False,
                        depends_on="followup",
                        depends_on_values=frozenset({"no"}),
                    ),
                ),
            ),
        ),
        rules=(
            RuleSpec(
                "cosmetic_invasive",
                Level.RED_FLAG,
                (
                    ConditionSpec(frozenset({"cosmetic"}), question="label"),
                    ConditionSpec(frozenset({"injection_skin", "microneedling"}), context_key="route"),
                ),
                "Cosmetic used invasively",
                "A cosmetic is being injected",
                "Why?",
            ),
        ),
    )


def test_a_flagging_choice_produces_its_finding():
    result = evaluate(tiny_checklist(), {"screened": "no"}, CONTEXT)
    assert [f.code for f in result.findings] == ["screened.no"]
    assert result.level == Level.RED_FLAG
    assert result.findings[0].patient_text == "Not screened"


def test_hidden_questions_never_produce_findings():
    answers = {"screened": "no", "followup": "no"}  # followup only shows when screened == yes
    result = evaluate(tiny_checklist(), answers, CONTEXT)
    assert "followup.no" not in {f.code for f in result.findings}
    assert "followup" not in visible_question_codes(tiny_checklist(), answers)


def test_a_hidden_trigger_hides_its_whole_chain():
    answers = {"screened": "no", "followup": "no", "detail": "x"}
    assert "detail" not in visible_question_codes(tiny_checklist(), answers)
    assert "detail" in visible_question_codes(tiny_checklist(), {**answers, "screened": "yes"})


def test_a_rule_needs_all_its_conditions():
    spec = tiny_checklist()
    assert not evaluate(spec, {"label": "cosmetic"}, CONTEXT).findings
    assert not evaluate(spec, {"label": "medicine"}, {**CONTEXT, "route": "injection_skin"}).findings
    result = evaluate(spec, {"label": "cosmetic"}, {**CONTEXT, "route": "injection_skin"})
    assert [f.code for f in result.findings] == ["rule.cosmetic_invasive"]


def test_red_flags_come_before_cautions():
    result = evaluate(
        tiny_checklist(),
        {"screened": "yes", "followup": "unsure", "label": "cosmetic"},
        {**CONTEXT, "route": "microneedling"},
    )
    assert [f.level for f in result.findings] == [Level.RED_FLAG, Level.CAUTION]


def test_missing_required_ignores_hidden_and_optional_questions():
    spec = tiny_checklist()
    assert [q.code for q in missing_required(spec, {})] == ["screened", "label"]
    assert [q.code for q in missing_required(spec, {"screened": "yes", "label": "medicine"})] == ["followup"]
    assert missing_required(spec, {"screened": "yes", "label": "medicine", "followup": "no"}) == ()


def test_unknown_values_are_ignored_not_fatal():
    result = evaluate(tiny_checklist(), {"screened": "maybe", "label": ["cosmetic", 3]}, CONTEXT)
    assert result.findings == ()


def test_with_no_flags_it_still_states_the_uncertainties(version):
    spec = checklist_spec(version)
    result = evaluate(spec, {}, CONTEXT)
    assert result.level == Level.NONE
    assert result.standing_uncertainties == spec.key_facts
    assert len(result.standing_uncertainties) >= 5
    assert "unknown" in result.summary.lower() or "risks" in result.summary.lower()


@pytest.mark.parametrize("level", list(Level))
def test_the_overall_wording_never_says_safe(level):
    from checklist.risk import HEADLINES

    headline, summary = HEADLINES[level]
    assert not re.search(r"\bsafe\b", f"{headline} {summary}", re.I)


def test_every_flagging_choice_of_v1_produces_its_finding(version):
    spec = checklist_spec(version)
    checked = 0
    for question in spec.questions:
        for choice in question.choices:
            if choice.level == Level.NONE:
                continue
            answers = _make_visible(spec, question.code)
            answers[question.code] = [choice.value] if question.answer_type == "multiple" else choice.value
            codes = {f.code for f in evaluate(spec, answers, CONTEXT).findings}
            assert f"{question.code}.{choice.value}" in codes
            checked += 1
    assert checked >= 30


def test_every_v1_rule_can_fire(version):
    spec = checklist_spec(version)
    jurisdictions = {"UK": "yes", "US": "no"}
    for rule in spec.rules:
        answers: dict = {}
        context = dict(CONTEXT)
        for condition in rule.conditions:
            value = sorted(condition.values)[0]
            if condition.question:
                answers.update(_make_visible(spec, condition.question))
                question = spec.questions_by_code[condition.question]
                answers[condition.question] = [value] if question.answer_type == "multiple" else value
            else:
                context[condition.context_key] = value
                if condition.context_key == "jurisdiction":
                    context["jurisdiction_bans_human_cosmetics"] = jurisdictions.get(value, "no")
        codes = {f.code for f in evaluate(spec, answers, context).findings}
        assert f"rule.{rule.code}" in codes, rule.code


def _make_visible(spec: ChecklistSpec, code: str) -> dict:
    """Answers to the chain of triggers that make a question visible."""
    answers: dict = {}
    question = spec.questions_by_code[code]
    while question.depends_on:
        trigger = spec.questions_by_code[question.depends_on]
        answers[trigger.code] = sorted(question.depends_on_values)[0]
        question = trigger
    return answers


def answer_strategy(spec: ChecklistSpec):
    def for_question(q: QuestionSpec):
        values = [c.value for c in q.choices]
        if q.answer_type == "multiple":
            return st.lists(st.sampled_from(values), unique=True)
        if q.answer_type in ("single", "yes_no_unsure"):
            return st.sampled_from(values)
        if q.answer_type == "date":
            return st.dates().map(lambda d: d.isoformat())
        return st.text(max_size=50)

    return st.fixed_dictionaries({}, optional={q.code: for_question(q) for q in spec.questions})


@pytest.fixture(scope="module")
def v1_spec(django_db_blocker):
    with django_db_blocker.unblock():
        from checklist.models import ChecklistVersion

        return checklist_spec(ChecklistVersion.objects.get(status="published"))


def test_any_combination_of_valid_answers_evaluates(v1_spec):
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=answer_strategy(v1_spec), route=st.sampled_from(ROUTES))
    def check(answers, route):
        result = evaluate(v1_spec, answers, {**CONTEXT, "route": route})
        assert result.level == max((f.level for f in result.findings), default=Level.NONE)
        levels = [f.level for f in result.findings]
        assert levels == sorted(levels, reverse=True)

    check()


def test_adding_a_red_flag_answer_never_lowers_the_level(v1_spec):
    red_choices = [
        (q, c) for q in v1_spec.questions for c in q.choices if c.level == Level.RED_FLAG and q.depends_on is None
    ]

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers=answer_strategy(v1_spec), pick=st.sampled_from(red_choices))
    def check(answers, pick):
        question, choice = pick
        before = evaluate(v1_spec, answers, CONTEXT)
        flagged = dict(answers)
        flagged[question.code] = [choice.value] if question.answer_type == "multiple" else choice.value
        after = evaluate(v1_spec, flagged, CONTEXT)
        assert after.level >= before.level
        assert after.level == Level.RED_FLAG

    check()
