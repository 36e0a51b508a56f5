"""Teach-back content: the v2 list is valid and plain, the schema names each problem's path, and the
questions go into rows and come back as the same read model (v1 has none and is unchanged)."""

from __future__ import annotations

import copy

import pytest
import textstat

from checklist.content_diff import content_changes
from checklist.content_schema import CONTENT_DIR, ContentError, load_content_file, parse_content
from checklist.models import PublishedVersionLocked, TeachBackChoice, TeachBackQuestion
from checklist.selectors import checklist_spec
from checklist.teach_back import ScreeningFacts, filled
from tests.conftest import content_with_teach_back, v1_raw_with_v2_teach_back


def _raw() -> dict:
    return v1_raw_with_v2_teach_back()


def problems(raw) -> list[str]:
    with pytest.raises(ContentError) as info:
        parse_content(raw)
    return info.value.problems


def test_the_v2_list_parses_with_three_to_five_questions_each_with_one_right_answer():
    questions = content_with_teach_back().checklist.teach_back
    assert 3 <= len(questions) <= 5
    for question in questions:
        assert sum(c.correct for c in question.choices) == 1
        assert question.references


def test_the_v2_list_reads_at_grade_8_or_lower():
    facts = ScreeningFacts(regulator="the FDA", clinic_contact="the nurse line, 555 0143")
    for question in content_with_teach_back().checklist.teach_back:
        asked = filled(question, facts)
        text = " ".join([asked.prompt, asked.explanation, *(c.label for c in asked.choices)])
        assert textstat.flesch_kincaid_grade(text) <= 8, (question.code, textstat.flesch_kincaid_grade(text))


def test_v1_has_no_teach_back():
    assert load_content_file(CONTENT_DIR / "v1.yaml").checklist.teach_back == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda tb: tb[0]["choices"][1].pop("correct"), "teach_back[0].choices: mark exactly one choice"),
        (lambda tb: tb[1]["choices"][0].update(correct=True), "teach_back[1].choices: mark exactly one choice"),
        (lambda tb: tb[0].update(prompt="Has {country} approved it?"), "teach_back[0].prompt: unknown placeholder"),
        (lambda tb: tb[2].update(explanation="Call {clinic_contact"), "teach_back[2].explanation: a brace"),
        (lambda tb: tb[0].update(references=["nope"]), "teach_back[0].references: unknown reference 'nope'"),
        (lambda tb: tb[0].pop("explanation"), "teach_back[0]: missing key 'explanation'"),
        (lambda tb: tb[0].update(hint="x"), "teach_back[0]: unknown key 'hint'"),
        (lambda tb: tb[1].update(code=tb[0]["code"]), "teach_back: duplicate code"),
        (lambda tb: tb[0]["choices"][0].update(correct="yes"), "teach_back[0].choices[0].correct: expected true"),
        (lambda tb: tb[0].update(choices=tb[0]["choices"][:1]), "teach_back[0].choices: give two to five choices"),
        (lambda tb: del_after(tb, 2), "teach_back: give 3 to 5 questions (it has 2)"),
    ],
)
def test_the_schema_names_each_problem_with_its_path(change, expected):
    raw = copy.deepcopy(_raw())
    change(raw["teach_back"])
    assert any(p.startswith(expected) for p in problems(raw)), problems(raw)


def del_after(items: list, n: int) -> None:
    del items[n:]


def test_the_rows_give_back_the_same_read_model_and_lock_with_the_version(version_with_teach_back):
    spec = checklist_spec(version_with_teach_back)
    assert spec.teach_back == content_with_teach_back().checklist.teach_back
    assert spec.same_version_content(content_with_teach_back().checklist)
    question = TeachBackQuestion.objects.filter(version=version_with_teach_back).first()
    question.prompt = "Changed"
    with pytest.raises(PublishedVersionLocked):
        question.save()
    choice = TeachBackChoice.objects.filter(question__version=version_with_teach_back).first()
    with pytest.raises(PublishedVersionLocked):
        choice.delete()


def test_the_content_diff_lists_teach_back_questions_and_choices(version):
    v1 = checklist_spec(version)
    v2 = content_with_teach_back().checklist
    changes = content_changes(v1, v2)
    added = {(c.kind, c.name) for c in changes if c.change == "added"}
    assert ("teach_back", "approval") in added
    assert ("teach_back_choice", "approval: no") in added
    edited = copy.deepcopy(_raw())
    edited["teach_back"][0]["explanation"] = "Another explanation."
    changed = [c for c in content_changes(v2, parse_content(edited).checklist) if c.change == "changed"]
    assert [(c.kind, c.name, [f.field for f in c.fields]) for c in changed] == [
        ("teach_back", "approval", ["explanation"])
    ]
