"""The teach-back step: each answer saved at once, a wrong one explained and asked again, and
signing refused until every question has a right final answer (a forged POST changes nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.forms_teach_back import answer_field_name
from checklist.models import AuditEvent, Screening, TeachBackAnswer
from checklist.selectors import checklist_spec, screening_signed_record
from tests.conftest import PASSWORD
from tests.views.helpers import consent_post


def teach_back_url(s):
    return reverse("checklist:screening-teach-back", args=[s.pk])


def consent_url(s):
    return reverse("checklist:screening-consent", args=[s.pk])


@pytest.fixture
def screening(version_with_teach_back, make_screening, clinic_a, alice) -> Screening:
    return make_screening(clinic_a, alice, answers="clean")


def questions(screening):
    return checklist_spec(screening.version).teach_back


def wrong_value(question) -> str:
    return next(c.value for c in question.choices if not c.correct)


def right_answers(screening) -> dict[str, str]:
    return {answer_field_name(q.code): q.right_choice.value for q in questions(screening)}


def test_the_consent_waits_for_teach_back(alice_client, screening):
    response = alice_client.get(consent_url(screening))
    assert response.status_code == 302
    assert response["Location"] == teach_back_url(screening)
    page = alice_client.get(teach_back_url(screening)).content.decode()
    assert "Has the medicines regulator where you live approved this product" in page
    # The right answer to "whom do you call" is the clinic's own contact, filled in.
    assert f"The clinic: {' '.join(screening.clinic.adverse_event_contact.split())}" in page


def test_a_wrong_answer_shows_the_explanation_and_asks_again_then_a_right_one_counts(alice_client, screening, alice):
    first = questions(screening)[0]
    response = alice_client.post(teach_back_url(screening), {answer_field_name(first.code): wrong_value(first)})
    assert response.status_code == 302
    assert response["Location"] == f"{teach_back_url(screening)}#teach-back-{first.code}"
    row = TeachBackAnswer.objects.get(screening=screening, question_code=first.code)
    assert (row.first_answer, row.final_answer, row.tries) == (wrong_value(first), wrong_value(first), 1)
    page = alice_client.get(teach_back_url(screening)).content.decode()
    assert "Not right yet: read this together" in page
    assert "U.S. Food and Drug Administration (FDA)" in page  # the explanation names the regulator
    assert "Ask again" in page

    alice_client.post(teach_back_url(screening), {answer_field_name(first.code): first.right_choice.value})
    row.refresh_from_db()
    assert (row.first_answer, row.final_answer, row.tries) == (wrong_value(first), first.right_choice.value, 2)
    page = alice_client.get(teach_back_url(screening)).content.decode()
    assert "after 2 tries" in page
    # A question answered right is done: a later answer changes nothing.
    alice_client.post(teach_back_url(screening), {answer_field_name(first.code): wrong_value(first)})
    row.refresh_from_db()
    assert (row.final_answer, row.tries) == (first.right_choice.value, 2)
    events = AuditEvent.objects.filter(screening=screening, action="screening.teach_back_answered")
    assert [e.detail["right"] for e in events.order_by("id")] == [False, True]
    assert all(wrong_value(first) not in str(e.detail.values()) for e in events)


def test_all_right_opens_the_consent_and_the_record_keeps_first_and_final(alice_client, screening):
    first = questions(screening)[0]
    alice_client.post(teach_back_url(screening), {answer_field_name(first.code): wrong_value(first)})
    response = alice_client.post(teach_back_url(screening), right_answers(screening))
    assert response["Location"] == consent_url(screening)
    assert alice_client.get(consent_url(screening)).status_code == 200
    response = alice_client.post(consent_url(screening), consent_post(screening, PASSWORD))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.is_signed
    record = screening_signed_record(screening)
    assert [r.code for r in record.teach_back] == [q.code for q in questions(screening)]
    approval = record.teach_back[0]
    assert not approval.first_right and approval.final_right and approval.tries == 2
    assert approval.first_answer == next(c.label for c in first.choices if not c.correct)
    assert all(r.final_right for r in record.teach_back)


def test_a_forged_consent_post_before_teach_back_changes_nothing(alice_client, screening):
    first = questions(screening)[0]
    alice_client.post(teach_back_url(screening), {answer_field_name(first.code): wrong_value(first)})
    before = screening.lock_version
    response = alice_client.post(consent_url(screening), consent_post(screening, PASSWORD))
    assert response.status_code == 302
    assert response["Location"] == teach_back_url(screening)
    screening.refresh_from_db()
    assert not screening.is_signed and screening.lock_version == before


def test_the_signing_service_refuses_too(screening, alice):
    from django.core.exceptions import ValidationError

    from checklist.demo import sign_screening

    with pytest.raises(ValidationError, match="teach-back question"):
        sign_screening(screening, alice, teach_back=False)
    screening.refresh_from_db()
    assert not screening.is_signed


@pytest.mark.parametrize(
    "data",
    [
        {"teach-back-approval": "maybe"},  # not a choice
        {"teach-back-no-such-question": "yes"},  # ignored: no such field; nothing picked
        {},
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(alice_client, screening, data):
    response = alice_client.post(teach_back_url(screening), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not TeachBackAnswer.objects.filter(screening=screening).exists()


def test_another_clinic_gets_404(bob_client, screening):
    assert bob_client.get(teach_back_url(screening)).status_code == 404
    assert bob_client.post(teach_back_url(screening), right_answers(screening)).status_code == 404
    assert not TeachBackAnswer.objects.filter(screening=screening).exists()


def test_anonymous_is_sent_to_sign_in(client, screening):
    response = client.get(teach_back_url(screening))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_method_is_refused(alice_client, screening):
    assert alice_client.put(teach_back_url(screening)).status_code == 405


def test_a_version_without_teach_back_skips_it(alice_client, make_screening, clinic_a, alice):
    v1 = make_screening(clinic_a, alice, answers="clean")
    assert not checklist_spec(v1.version).teach_back
    response = alice_client.get(teach_back_url(v1))
    assert response["Location"] == consent_url(v1)
    assert alice_client.get(consent_url(v1)).status_code == 200
    assert "Teach-back" not in alice_client.get(consent_url(v1)).content.decode()


def test_a_record_signed_before_teach_back_still_reads(risky_signed):
    from checklist.records import RECORD_SCHEMA, ScreeningRecord

    data = dict(risky_signed.findings_snapshot)
    assert data["schema"] == RECORD_SCHEMA == 4
    data.pop("teach_back")
    data["checklist"] = {k: v for k, v in data["checklist"].items() if k != "teach_back"}
    data["schema"] = 3
    record = ScreeningRecord.from_json(data)
    assert record.teach_back == () and record.checklist.teach_back == ()
