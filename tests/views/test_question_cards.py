"""Which question cards are kept for reuse, and that a note about a patient never is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist import fragments
from checklist.forms import answer_field_name, note_field_name
from checklist.question_cards import QuestionCard, question_cards
from checklist.risk import evaluate
from checklist.selectors import checklist_spec
from tests.views.helpers import step_post

NOTE = "Patient mentioned a penicillin allergy"


@pytest.fixture
def kept_markup(monkeypatch):
    """Everything rendered into the memo from now on."""
    fragments.render_fragment_cache_clear()
    kept: list[str] = []
    real = fragments.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        html = real(template_name, context, *args, **kwargs)
        kept.append(html)
        return html

    monkeypatch.setattr(fragments, "render_to_string", spy)
    yield kept
    fragments.render_fragment_cache_clear()


def _step(screening, section="source"):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def test_a_note_is_shown_but_never_kept(alice_client, draft, kept_markup):
    """Nor is anything else that identifies the patient: only content and answers are shared."""
    saved = alice_client.post(_step(draft), step_post(draft, "source", **{note_field_name("donor_screening"): NOTE}))
    assert saved.status_code == 302
    html = alice_client.get(_step(draft)).content.decode()
    assert NOTE in html
    assert draft.patient_name in html
    assert kept_markup
    assert not any(NOTE in markup or draft.patient_name in markup for markup in kept_markup)


def test_an_error_message_is_shown_but_never_kept(alice_client, draft, kept_markup):
    """Error messages can echo what was sent."""
    sent = step_post(draft, "source", **{answer_field_name("donor_screening"): "<b>forged</b>"})
    response = alice_client.post(_step(draft), sent)
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" in html
    errors = [markup for markup in kept_markup if "invalid-feedback" in markup]
    assert errors == []


def test_a_card_is_shared_unless_it_holds_a_note_or_an_error(version):
    question = checklist_spec(version).questions_by_code["lot_number"]
    assert QuestionCard(question, text="LOT-42").is_shareable
    assert not QuestionCard(question, text="LOT-42", note="Seen by Dr A").is_shareable
    assert not QuestionCard(question, errors=("Enter a lot number.",)).is_shareable
    assert not QuestionCard(question, note_errors=("Too long.",)).is_shareable


def test_only_real_choices_are_selected(version, rf):
    """Values that are not choices of the question (forged, or from an older checklist) are dropped."""
    spec = checklist_spec(version)
    section = spec.sections_by_code["source"]
    values = {"donor_screening": ["yes", "<script>", "no"], "source_origin": "not-a-choice"}
    cards = {
        c.question.code: c
        for c in question_cards(
            section,
            values=values,
            notes={},
            visible=frozenset(q.code for q in section.questions),
            assessment=evaluate(spec, {}),
        )
    }
    assert cards["donor_screening"].selected == frozenset({"yes", "no"})
    assert cards["source_origin"].selected == frozenset()


def test_two_patients_with_the_same_answers_share_the_markup(alice_client, make_screening, clinic_a, alice):
    first = make_screening(clinic_a, alice, answers="risky")
    second = make_screening(clinic_a, alice, answers="risky")
    fragments.render_fragment_cache_clear()
    alice_client.get(_step(first))
    misses = fragments._render.cache_info().misses
    alice_client.get(_step(second))
    assert fragments._render.cache_info().misses == misses
