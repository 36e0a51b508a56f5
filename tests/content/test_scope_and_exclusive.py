"""A question's scope and a choice's exclusivity travel from the content file to the read model."""

from __future__ import annotations

import pytest

from checklist.content_schema import CONTENT_DIR, ContentError, parse_content, read_yaml
from checklist.models import ChecklistVersion, Choice, Question
from checklist.selectors import checklist_spec
from checklist.services.checklist_versions import checklist_content_load
from checklist.vocabulary import AnswerType, Scope

V1 = CONTENT_DIR / "v1.yaml"


def _first_question(raw: dict, answer_type: str) -> dict:
    return next(q for s in raw["sections"] for q in s["questions"] if q["answer_type"] == answer_type)


def test_a_question_without_a_scope_is_a_patient_fact():
    content = parse_content(read_yaml(V1))
    assert {q.scope for s in content.checklist.sections for q in s.questions} == {Scope.PATIENT}


def test_scope_and_exclusive_reach_the_rows_and_the_compiled_spec(version):
    raw = read_yaml(V1)
    raw["version"] = 2
    product_question = raw["sections"][0]["questions"][0]
    product_question["scope"] = "product"
    multiple = _first_question(raw, AnswerType.MULTIPLE)
    multiple["choices"][-1]["exclusive"] = True
    checklist_content_load(content=parse_content(raw))

    v2 = ChecklistVersion.objects.get(number=2)
    assert Question.objects.get(section__version=v2, code=product_question["code"]).scope == Scope.PRODUCT
    exclusive_value = multiple["choices"][-1]["value"]
    assert Choice.objects.get(
        question__section__version=v2, question__code=multiple["code"], value=exclusive_value
    ).exclusive
    spec = checklist_spec(v2)
    assert spec.questions_by_code[product_question["code"]].scope == Scope.PRODUCT
    assert spec.questions_by_code[multiple["code"]].choices_by_value[exclusive_value].exclusive
    assert not spec.questions_by_code[multiple["code"]].choices[0].exclusive


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw["sections"][0]["questions"][0].update(scope="donor"), "expected one of clinic, product"),
        (
            lambda raw: _first_question(raw, "single")["choices"][0].update(exclusive=True),
            "only a choice of a multiple",
        ),
        (lambda raw: _first_question(raw, "multiple")["choices"][0].update(exclusive="yes"), "expected true or false"),
    ],
)
def test_a_bad_scope_or_exclusive_is_refused_with_its_path(mutate, message):
    raw = read_yaml(V1)
    mutate(raw)
    with pytest.raises(ContentError, match=message):
        parse_content(raw)
