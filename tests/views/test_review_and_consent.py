from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.models import Answer, AuditEvent, Screening
from tests.conftest import PASSWORD
from tests.views.helpers import consent_post, step_post


def review_url(s):
    return reverse("checklist:screening-review", args=[s.pk])


def consent_url(s):
    return reverse("checklist:screening-consent", args=[s.pk])


def test_review_lists_unanswered_required_questions_and_blocks_consent(alice_client, draft):
    html = alice_client.get(review_url(draft)).content.decode()
    assert "required questions are not answered" in html
    assert 'disabled aria-disabled="true">Continue to consent' in html
    response = alice_client.get(consent_url(draft))
    assert response["Location"] == review_url(draft)
    response = alice_client.post(consent_url(draft), consent_post(draft, PASSWORD))
    assert Screening.objects.get(pk=draft.pk).status == Screening.Status.DRAFT


def test_review_shows_red_flags_before_cautions_with_sources(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    html = alice_client.get(review_url(screening)).content.decode()
    assert html.index("Red flags and their resolutions") < html.index("Cautions to discuss")
    assert "Sources of the key information" in html and "U.S. Food and Drug Administration" in html
    assert "Change" in html
    assert "Continue to the red flags</a>" in html


@pytest.mark.renders_pdf
def test_signing_locks_everything(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    page = alice_client.get(consent_url(screening)).content.decode()
    assert "Your risk summary" in page and "The rules where you live" in page
    response = alice_client.post(consent_url(screening), consent_post(screening, PASSWORD))
    assert response["Location"] == reverse("checklist:screening-detail", args=[screening.pk])
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SIGNED
    assert screening.signed_at and screening.attested_by == alice
    assert screening.findings_snapshot["assessment"]["level"] == "red_flag"
    assert screening.signature_png.startswith(b"\x89PNG")
    assert screening.pdf_sha256 and screening.verification_code
    assert AuditEvent.objects.filter(screening=screening, action="screening.signed").count() == 1

    before = list(Answer.objects.filter(screening=screening).values_list("question__code", "value", "note"))
    forged = step_post(screening, "source", "clean")
    assert (
        alice_client.post(reverse("checklist:screening-step", args=[screening.pk, "source"]), forged).status_code == 403
    )
    assert (
        alice_client.post(consent_url(screening), consent_post(screening, PASSWORD, decision="proceed")).status_code
        == 403
    )
    details = reverse("checklist:screening-details", args=[screening.pk])
    assert alice_client.post(details, {"patient_name": "Changed"}).status_code == 403
    after = list(Answer.objects.filter(screening=screening).values_list("question__code", "value", "note"))
    assert before == after
    screening.refresh_from_db()
    assert screening.decision == "wait"


@pytest.mark.real_password_hasher
def test_a_wrong_password_does_not_sign(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    response = alice_client.post(consent_url(screening), consent_post(screening, "not-my-password"))
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE


def test_every_statement_must_be_ticked(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    data = consent_post(screening, PASSWORD)
    data["acknowledgements"] = data["acknowledgements"][:-1]
    response = alice_client.post(consent_url(screening), data)
    assert response.status_code == 400
    assert "Every statement must be read and ticked" in response.content.decode()
    assert Screening.objects.get(pk=screening.pk).status != Screening.Status.SIGNED


def test_the_drawn_signature_is_optional(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    alice_client.post(consent_url(screening), consent_post(screening, PASSWORD, signature=""))
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SIGNED
    assert screening.signature_png is None


def test_a_signature_that_is_not_a_png_is_refused(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    for bad in (
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:image/png;base64,not-base64!",
        "data:image/png;base64,R0lGODlh",
    ):
        response = alice_client.post(consent_url(screening), consent_post(screening, PASSWORD, signature=bad))
        assert response.status_code == 400, bad
    assert Screening.objects.get(pk=screening.pk).status != Screening.Status.SIGNED


def test_another_clinic_cannot_see_or_sign(bob_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    assert bob_client.get(review_url(screening)).status_code == 404
    assert bob_client.get(consent_url(screening)).status_code == 404
    assert bob_client.post(consent_url(screening), consent_post(screening, PASSWORD)).status_code == 404


def test_signing_twice_produces_one_signature(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    alice_client.post(consent_url(screening), consent_post(screening, PASSWORD))
    alice_client.post(consent_url(screening), consent_post(screening, PASSWORD, decision="proceed"))
    assert AuditEvent.objects.filter(screening=screening, action="screening.signed").count() == 1
    assert Screening.objects.get(pk=screening.pk).decision == "wait"
