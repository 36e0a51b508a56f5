"""Save and continue with required questions left blank: what was given is saved, the page says
which required questions are still open (with links), and the step bar says so in words."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape

from checklist.forms import answer_field_name
from checklist.models import Answer
from checklist.selectors import checklist_spec
from tests.views.helpers import step_post


def url(screening, section="source"):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def required_in(screening, section_code):
    spec = checklist_spec(screening.version)
    return [q for q in spec.sections_by_code[section_code].questions if q.required and q.depends_on is None]


def step_item(html: str, title: str) -> str:
    items = re.findall(r'<li class="step-item[^"]*">.*?</li>', html, flags=re.S)
    return next(i for i in items if title in i)


def test_it_saves_what_was_given_and_stays_to_list_the_open_questions(alice_client, draft):
    blank = required_in(draft, "source")[0]
    data = step_post(draft, "source", "risky", **{answer_field_name(blank.code): ""})
    response = alice_client.post(url(draft), data)
    assert response.status_code == 302
    assert response["Location"] == url(draft) + "#still-open"
    saved = set(Answer.objects.filter(screening=draft).values_list("question__code", flat=True))
    assert blank.code not in saved and len(saved) >= 2

    html = alice_client.get(response["Location"]).content.decode()
    assert "Saved, but 1 required question on this page is still open." in html
    assert "1 required question on this page is still open</h3>" in html
    box = html[html.index('id="still-open"') : html.index("</section>", html.index('id="still-open"'))]
    assert f'<a href="#question-{blank.code}">{escape(blank.prompt)}</a>' in box
    assert f'id="question-{blank.code}"' in html
    assert f'href="{url(draft, "regulatory")}"' in box  # going on is a choice, not the default


def test_the_step_bar_says_in_words_that_a_saved_step_is_not_finished(alice_client, draft):
    required = required_in(draft, "source")
    data = step_post(draft, "source", "risky", **{answer_field_name(q.code): "" for q in required[:2]})
    alice_client.post(url(draft), data)
    html = alice_client.get(url(draft, "regulatory")).content.decode()
    item = step_item(html, "Source and donor screening")
    assert "has-open" in item and "is-complete" not in item
    assert '<span class="step-open"><span class="visually-hidden">, </span>2 to answer</span>' in item
    # A step not saved yet is not called unfinished, and the one being shown says nothing either way.
    assert "to answer" not in step_item(html, "Independent evidence")


def test_a_complete_step_moves_on_with_no_list(alice_client, draft):
    response = alice_client.post(url(draft), step_post(draft, "source", "clean"))
    assert response["Location"] == url(draft, "regulatory")
    html = alice_client.get(url(draft)).content.decode()
    assert 'id="still-open"' not in html
    assert "to answer" not in step_item(html, "Source and donor screening")


def test_save_and_exit_says_what_is_still_open(alice_client, draft):
    blank = required_in(draft, "source")[0]
    data = step_post(draft, "source", "clean", save_exit="1", **{answer_field_name(blank.code): ""})
    del data["save_continue"]
    response = alice_client.post(url(draft), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("checklist:dashboard")
    assert "1 required question on that page is still open" in response.content.decode()
