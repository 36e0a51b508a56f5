"""A refused consent keeps what was given (the drawn signature too, checked again) and says at the
top what to fix, each problem a link to its field."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape

from checklist.demo import demo_signature_png
from checklist.models import Screening
from checklist.signatures import clean_signature_png, signature_data_url
from tests.conftest import PASSWORD
from tests.views.helpers import consent_post


def consent_url(s):
    return reverse("checklist:screening-consent", args=[s.pk])


def summary_of(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, flags=re.S)
    assert match, "no error summary"
    return match.group(0)


def kept_signature(html: str) -> str:
    return re.search(r'<input type="hidden" name="signature" value="([^"]*)" data-signature-input>', html).group(1)


def test_an_unticked_statement_keeps_the_drawn_signature_and_links_to_the_boxes(
    alice_client, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean")
    data = consent_post(screening, PASSWORD, decision="proceed")
    data["acknowledgements"] = data["acknowledgements"][1:]
    html = alice_client.post(consent_url(screening), data).content.decode()
    summary = summary_of(html)
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary and "There is a problem" in summary
    assert '<a href="#id_acknowledgements_0">Every statement must be read and ticked before signing.</a>' in summary
    # What was given stays: the signature (as checked and re-encoded), the name and the decision.
    assert kept_signature(html) == signature_data_url(clean_signature_png(demo_signature_png()))
    assert f'value="{escape(screening.patient_name)}"' in html
    assert re.search(r'value="proceed"[^>]*checked', html)
    assert PASSWORD not in html
    assert html.index("There is a problem") < html.index("Your risk summary")
    assert "js/error_summary.js" in html
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE


def test_each_problem_links_to_its_own_field(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    data = consent_post(screening, "not-my-password", decision="", patient_signed_name="")
    del data["clinician_attestation"]
    summary = summary_of(alice_client.post(consent_url(screening), data).content.decode())
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert targets == ["id_decision_0", "id_patient_signed_name", "id_clinician_attestation", "id_clinician_password"]


def test_a_signature_refused_is_not_sent_back_and_its_error_points_at_the_pad(
    alice_client, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean")
    bad = "data:image/png;base64,R0lGODlh"
    html = alice_client.post(consent_url(screening), consent_post(screening, PASSWORD, signature=bad)).content.decode()
    assert kept_signature(html) == ""
    assert bad not in html
    assert '<a href="#signature-pad">' in summary_of(html)
    assert 'id="signature-pad"' in html


def test_a_first_visit_has_no_summary_and_no_signature(alice_client, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    html = alice_client.get(consent_url(screening)).content.decode()
    assert "error-summary" not in html and kept_signature(html) == ""
