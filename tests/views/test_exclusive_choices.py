"""A choice marked exclusive ("None of these") cannot be ticked with another: a forged POST changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklist.forms import answer_field_name
from checklist.models import Answer
from checklist.spec import clean_answer
from checklist.vocabulary import AnswerType
from tests.views.helpers import step_post


@pytest.fixture
def v2_draft(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice)
    assert screening.version == version_v2
    return screening


def url(screening, section):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def test_none_of_these_ticked_with_another_is_refused_and_nothing_is_saved(alice_client, v2_draft):
    data = step_post(v2_draft, "evidence", **{answer_field_name("combined_treatments"): ["none", "laser"]})
    response = alice_client.post(url(v2_draft, "evidence"), data)
    assert response.status_code == 400
    assert "cannot be ticked together with another option" in response.content.decode()
    assert not Answer.objects.filter(screening=v2_draft).exists()


def test_none_of_these_alone_is_saved(alice_client, v2_draft):
    data = step_post(v2_draft, "evidence", **{answer_field_name("combined_treatments"): ["none"]})
    response = alice_client.post(url(v2_draft, "evidence"), data)
    assert response.status_code == 302
    assert Answer.objects.get(screening=v2_draft, question__code="combined_treatments").value == ["none"]


def test_the_step_page_marks_the_exclusive_choice_for_the_script(alice_client, v2_draft):
    html = alice_client.get(url(v2_draft, "evidence")).content.decode()
    assert 'value="none" data-exclusive' in html or ('value="none"' in html and "data-exclusive" in html)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(["none"], True), (["a", "b"], True), (["none", "a"], False), (["a", "none"], False)],
)
def test_clean_answer_refuses_an_exclusive_value_with_others(value, ok):
    def run():
        return clean_answer(AnswerType.MULTIPLE, value, choice_values={"a", "b", "none"}, exclusive_values={"none"})

    if ok:
        assert run() == value
    else:
        with pytest.raises(ValidationError) as exc:
            run()
        assert exc.value.code == "exclusive_choice"
