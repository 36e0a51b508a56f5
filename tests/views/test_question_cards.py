"""What a step page's question cards show: the stored answer and note, errors, and real choices only."""

from __future__ import annotations

from django.urls import reverse

from checklist.forms import answer_field_name, note_field_name
from checklist.question_cards import question_cards
from checklist.risk import evaluate
from checklist.selectors import checklist_spec
from tests.views.helpers import step_post

NOTE = "Patient mentioned a penicillin allergy"


def _step(screening, section="source"):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def test_a_note_is_shown_with_its_question(alice_client, draft):
    saved = alice_client.post(_step(draft), step_post(draft, "source", **{note_field_name("donor_screening"): NOTE}))
    assert saved.status_code == 302
    html = alice_client.get(_step(draft)).content.decode()
    assert NOTE in html
    assert draft.patient_name in html


def test_an_error_message_is_shown(alice_client, draft):
    sent = step_post(draft, "source", **{answer_field_name("donor_screening"): "<b>forged</b>"})
    response = alice_client.post(_step(draft), sent)
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" in html


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


def test_a_cards_markup_keeps_no_patients_answer_between_cards(version):
    """The published part of a card is cached per question; picks, typed text and notes are not."""
    from checklist.question_cards import QuestionCard, card_markup

    spec = checklist_spec(version)
    choice_question = next(q for q in spec.questions if q.choices)
    text_question = next(q for q in spec.questions if q.answer_type == "text")
    picked = choice_question.choices[0].value
    first = card_markup(QuestionCard(question=choice_question, selected=frozenset({picked}), note="<b>first</b>"))
    second = card_markup(QuestionCard(question=choice_question))
    assert first.count(" checked") == 1 and "&lt;b&gt;first&lt;/b&gt;" in first
    assert " checked" not in second and "first" not in second
    typed = card_markup(QuestionCard(question=text_question, text="<script>alert(1)</script>", visible=False))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in typed and "<script>" not in typed
    assert f'id="question-{text_question.code}"' in typed and " hidden>" in typed
    assert "<script>" not in card_markup(QuestionCard(question=text_question))
