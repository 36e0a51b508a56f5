"""The consent page compares the typed name with the record, and records a representative, an
interpreter or a witness; the PDF prints each with what their part means."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from checklist.models import Screening
from tests.conftest import PASSWORD
from tests.views.helpers import consent_post


def consent_url(s):
    return reverse("checklist:screening-consent", args=[s.pk])


def pdf_text(client, screening) -> str:
    data = client.get(reverse("checklist:screening-pdf", args=[screening.pk])).content
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_another_name_than_the_records_is_refused_with_the_question_who_signs(
    alice_client, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean", patient_name="Chris Walker")
    response = alice_client.post(
        consent_url(screening), consent_post(screening, PASSWORD, patient_signed_name="Someone Else")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_patient_signed_name">The name typed, &quot;Someone Else&quot;, is not the name on the record'
        in html
    )
    assert "Who is signing?" in html and "A legally authorised representative, for the patient" in html
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE


@pytest.mark.renders_pdf
def test_a_representative_with_an_interpreter_is_recorded_shown_and_printed(
    alice_client, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean", patient_name="Chris Walker")
    data = consent_post(
        screening,
        PASSWORD,
        signer="representative",
        patient_signed_name="",
        representative_name="Jane Walker",
        representative_relationship="Mother; legal guardian",
        interpreter_name="Luísa Mendes",
        interpreter_language="Portuguese",
        witness_name="Sam Witness",
    )
    response = alice_client.post(consent_url(screening), data)
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "Jane Walker, legally authorised representative (Mother; legal guardian)" in page
    assert "Luísa Mendes · Portuguese" in page and "Sam Witness" in page
    text = pdf_text(alice_client, screening)
    assert "Signature of the patient's legally authorised representative" in text
    # The name, the relationship and the patient signed for, in that order under the heading.
    assert "representative Jane Walker Mother; legal guardian Chris Walker" in text
    assert "I am legally authorised to make this decision for Chris Walker" in text
    assert "saw the representative sign" in text
    assert "Interpreter" in text and "Luísa Mendes" in text and "Portuguese" in text
    assert "What this means: I interpreted this summary" in text
    assert "Witness" in text and "Sam Witness" in text and "What this means: I was present" in text


def test_a_representative_needs_a_name_and_a_relationship(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    data = consent_post(screening, PASSWORD, signer="representative", patient_signed_name="")
    html = alice_client.post(consent_url(screening), data).content.decode()
    assert '<a href="#id_representative_name">' in html and '<a href="#id_representative_relationship">' in html
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE


@pytest.mark.renders_pdf
def test_a_patients_own_signature_prints_no_representative_or_companion(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    text = pdf_text(alice_client, screening)
    assert "Patient's signature" in text
    assert "legally authorised representative" not in text and "Interpreter" not in text
