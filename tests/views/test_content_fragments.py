"""The memo of content-only markup (checklist.fragments): reused only where it cannot go stale."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import set_script_prefix
from django.utils.autoreload import file_changed

from checklist import fragments, question_cards
from checklist.fragments import render_fragment
from checklist.risk import ChoiceSpec, Level, QuestionSpec

QUESTION = QuestionSpec(
    code="donor_screening",
    section_code="source",
    answer_type="yes_no_unsure",
    prompt="Were the donors screened?",
    patient_text="Were the people who gave the cells tested for infections?",
    why="Untested donors can pass on infections.",
    choices=(ChoiceSpec("yes", "Yes"), ChoiceSpec("no", "No", Level.RED_FLAG, "Donors not screened")),
)


@pytest.fixture(autouse=True)
def _empty_memo():
    fragments.render_fragment_cache_clear()
    yield
    fragments.render_fragment_cache_clear()


def _text(question: QuestionSpec) -> str:
    return render_fragment("checklist/partials/question_text.html", question=question)


def test_the_same_content_is_rendered_once():
    first = _text(QUESTION)
    second = _text(QUESTION)
    assert first == second and "Were the donors screened?" in first
    info = fragments._render.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_changed_wording_is_a_new_entry_never_a_stale_one():
    """A draft edited in the admin compiles to a different spec, and so to a different key."""
    _text(QUESTION)
    edited = dataclasses.replace(QUESTION, prompt="Were all donors screened for HIV and hepatitis?")
    assert "HIV and hepatitis" in _text(edited)
    assert "Were the donors screened?" in _text(QUESTION)


def test_text_is_escaped_as_in_any_template():
    hostile = dataclasses.replace(QUESTION, prompt='<script>alert("x")</script>')
    html = _text(hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], {"a"}, object()])
def test_a_mutable_value_is_refused(value):
    with pytest.raises(TypeError, match="not immutable"):
        render_fragment("checklist/partials/question_text.html", question=value)


def test_a_model_instance_is_refused(draft):
    """It hashes by primary key alone, so a changed row would hit the old markup."""
    with pytest.raises(TypeError, match="Screening is not immutable"):
        render_fragment("checklist/partials/screening_header.html", screening=draft)


def test_links_follow_the_url_prefix_they_were_rendered_under():
    kwargs = {"signed_in": True, "full_name": "Alice", "username": "alice", "clinic_name": "A", "is_admin": False}
    at_root = render_fragment("layout/header.html", is_staff=False, **kwargs)
    set_script_prefix("/exosafe/")
    try:
        under_prefix = render_fragment("layout/header.html", is_staff=False, **kwargs)
    finally:
        set_script_prefix("/")
    assert 'href="/screenings/' in at_root
    assert 'href="/exosafe/screenings/' in under_prefix


def test_an_edited_template_empties_the_memo():
    _text(QUESTION)
    file_changed.send(sender=None, file_path=Path("templates/checklist/partials/question_text.html"))
    assert fragments._render.cache_info().currsize == 0


def test_an_edited_python_file_leaves_the_memo_alone():
    _text(QUESTION)
    file_changed.send(sender=None, file_path=Path("checklist/views/steps.py"))
    assert fragments._render.cache_info().currsize == 1


def test_a_memoized_card_is_the_card_rendered_fresh():
    """The card template reads nothing but the card, so the memo cannot differ from a fresh render."""
    card = question_cards.QuestionCard(question=QUESTION, selected=frozenset({"no"}))
    fresh = render_to_string(question_cards.TEMPLATE, {"card": card})
    assert render_fragment(question_cards.TEMPLATE, card=card) == fresh
    assert 'value="no" checked' in fresh
