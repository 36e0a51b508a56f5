"""The memo of published-content markup keeps read-model values only, never a patient's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist import content_markup, question_cards
from checklist.forms import note_field_name
from checklist.selectors import checklist_spec
from tests.views.helpers import step_post

NOTE = "Patient mentioned a penicillin allergy"


@pytest.fixture
def kept_markup(monkeypatch):
    """Everything rendered into the memo from now on. The question cards' own memo is emptied too:
    a card kept from an earlier test of this process would not ask for its text again."""
    content_markup.content_markup_clear()
    question_cards._question_markup.cache_clear()
    kept: list[str] = []
    real = content_markup.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        html = real(template_name, context, *args, **kwargs)
        kept.append(html)
        return html

    monkeypatch.setattr(content_markup, "render_to_string", spy)
    yield kept
    content_markup.content_markup_clear()


def test_it_refuses_anything_but_published_content(version):
    question = checklist_spec(version).questions_by_code["lot_number"]
    assert "lot" in content_markup.content_markup("checklist/partials/question_text.html", question=question)
    for value in ("LOT-42", 42, {"prompt": "x"}, None):
        with pytest.raises(TypeError, match="published content only"):
            content_markup.content_markup("checklist/partials/question_text.html", question=value)


def test_a_step_page_keeps_content_but_no_note_name_or_answer(alice_client, draft, kept_markup):
    url = reverse("checklist:screening-step", args=[draft.pk, "source"])
    sent = step_post(draft, "source", **{note_field_name("donor_screening"): NOTE, "q__lot_number": "LOT-4242"})
    assert alice_client.post(url, sent).status_code == 302
    html = alice_client.get(url).content.decode()
    assert NOTE in html and "LOT-4242" in html and draft.patient_name in html
    assert kept_markup, "the questions' texts are kept"
    assert not any(NOTE in m or "LOT-4242" in m or draft.patient_name in m for m in kept_markup)
