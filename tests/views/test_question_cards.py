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
