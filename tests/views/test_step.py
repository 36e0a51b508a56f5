from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklist.forms import answer_field_name, note_field_name
from checklist.models import Answer, Screening
from tests.views.helpers import step_post


def url(screening, section="source"):
    return reverse("checklist:screening-step", args=[screening.pk, section])


def test_it_shows_prompt_read_aloud_text_and_why(alice_client, draft):
    html = alice_client.get(url(draft)).content.decode()
    assert "Read to the patient" in html
    assert "Why it matters" in html
    assert "Step 2 of 9" in html
    assert "Save and continue" in html and "Save and exit" in html


def test_another_clinic_gets_404(bob_client, draft):
    assert bob_client.get(url(draft)).status_code == 404
    assert bob_client.post(url(draft), step_post(draft, "source")).status_code == 404
    assert not Answer.objects.filter(screening=draft).exists()


def test_an_unknown_step_is_404(alice_client, draft):
    assert alice_client.get(url(draft, "nonexistent")).status_code == 404


def test_it_saves_answers_and_moves_to_the_next_step(alice_client, draft):
    response = alice_client.post(url(draft), step_post(draft, "source", "risky"))
    assert response.status_code == 302
    assert response["Location"] == url(draft, "regulatory")
    draft.refresh_from_db()
    assert "source" in draft.saved_sections
    assert Answer.objects.get(screening=draft, question__code="source_origin").value == "unknown"
    assert draft.overall_risk == "red_flag"


def test_save_and_exit_keeps_everything(alice_client, draft):
    data = step_post(draft, "source", save_exit="1")
    del data["save_continue"]
    data[note_field_name("donor_screening")] = "Certificate seen, dated March."
    response = alice_client.post(url(draft), data)
    assert response["Location"] == reverse("checklist:dashboard")
    html = alice_client.get(url(draft)).content.decode()
    assert "Certificate seen, dated March." in html
    assert (
        Answer.objects.get(screening=draft, question__code="donor_screening").note == "Certificate seen, dated March."
    )


def test_back_saves_and_goes_to_the_previous_step(alice_client, draft):
    data = step_post(draft, "regulatory", back="1")
    del data["save_continue"]
    response = alice_client.post(url(draft, "regulatory"), data)
    assert response["Location"] == url(draft, "source")
    assert Answer.objects.filter(screening=draft, question__section__code="regulatory").exists()


def test_a_choice_that_is_not_offered_is_refused_and_nothing_is_saved(alice_client, draft):
    data = step_post(draft, "source", **{answer_field_name("source_origin"): "unicorn"})
    response = alice_client.post(url(draft), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Answer.objects.filter(screening=draft).exists()


def test_answers_for_another_step_are_ignored(alice_client, draft):
    data = step_post(draft, "source", **{answer_field_name("regulator_approval"): "no"})
    alice_client.post(url(draft), data)
    assert not Answer.objects.filter(screening=draft, question__code="regulator_approval").exists()


def test_conditional_question_is_hidden_until_its_trigger_is_saved(alice_client, draft):
    marker = 'id="question-lot_number"'
    html = alice_client.get(url(draft)).content.decode()
    tag = html[html.index(marker) - 200 : html.index(marker) + 600]
    assert " hidden>" in tag
    data = step_post(
        draft, "source", **{answer_field_name("sterility_certificate"): "yes", answer_field_name("lot_number"): ""}
    )
    response = alice_client.post(url(draft), data)
    # Without JavaScript, a newly shown question keeps the clinician on the page to answer it.
    assert response["Location"] == url(draft)
    html = alice_client.get(url(draft)).content.decode()
    tag = html[html.index(marker) - 200 : html.index(marker) + 600]
    assert " hidden>" not in tag


def test_a_stale_form_does_not_overwrite_a_newer_save(alice_client, draft):
    first = step_post(draft, "source", "clean")
    alice_client.post(url(draft), first)
    stale = step_post(draft, "source", "risky", lock_version=0)
    response = alice_client.post(url(draft), stale)
    assert response.status_code == 409
    assert "Someone else saved this screening" in response.content.decode()
    assert Answer.objects.get(screening=draft, question__code="source_origin").value != "unknown"


def test_a_signed_screening_refuses_changes(alice_client, risky_signed):
    before = list(Answer.objects.filter(screening=risky_signed).values_list("question__code", "value"))
    response = alice_client.post(url(risky_signed), step_post(risky_signed, "source", "clean"))
    assert response.status_code == 403
    after = list(Answer.objects.filter(screening=risky_signed).values_list("question__code", "value"))
    assert before == after
    assert alice_client.get(url(risky_signed))["Location"] == reverse(
        "checklist:screening-detail", args=[risky_signed.pk]
    )


def test_the_number_of_queries_does_not_grow_with_the_questions(alice_client, draft):
    counts = {}
    for section in ("source", "regulatory", "reporting"):
        alice_client.get(url(draft, section))
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(url(draft, section)).status_code == 200
        counts[section] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= 15


def test_it_refuses_other_methods(alice_client, draft):
    assert alice_client.delete(url(draft)).status_code == 405


def test_anonymous_users_go_to_sign_in(client, draft):
    assert client.post(url(draft), {}).status_code == 302
    assert Screening.objects.get(pk=draft.pk).lock_version == draft.lock_version
