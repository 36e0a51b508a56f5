"""Hostile input to the consent: the patient's typed name, the statements, the decision, the drawn
signature and the clinician's password; double submits and signing what is already signed.

A refused consent leaves the screening unsigned and every row as it was.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import strategies as st

from checklist.models import AuditEvent, Decision, Screening
from checklist.selectors import checklist_spec
from tests.conftest import PASSWORD
from tests.security.hostile import (
    HOSTILE,
    HOSTILE_FEW,
    accepted_text,
    assert_no_server_error,
    hostile_text,
    rolled_back,
    world_fingerprint,
)
from tests.views.helpers import consent_post

pytestmark = pytest.mark.usefixtures("stub_pdf")


def consent_url(screening) -> str:
    return reverse("checklist:screening-consent", args=[screening.pk])


@pytest.fixture
def ready(make_screening, clinic_a, alice) -> Screening:
    """Every question answered: awaiting the patient's signature."""
    return make_screening(clinic_a, alice, answers="clean")


def assert_refused_unchanged(response, screening, before) -> None:
    assert response.status_code == 400, response.status_code
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE
    assert world_fingerprint() == before


@HOSTILE
@given(name=hostile_text)
def test_the_signers_typed_name_is_signed_as_typed_or_refused(alice_client, ready, name):
    # Typed by a representative: the patient's own name must also match the record.
    expected = accepted_text(name, max_length=200, required=True)
    signing = {"signer": "representative", "representative_name": name, "representative_relationship": "Parent"}
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, **signing))
        assert_no_server_error(response)
        if expected is None:
            assert_refused_unchanged(response, ready, before)
            assert 'class="invalid-feedback' in response.content.decode()
        else:
            assert response.status_code == 302
            signed = Screening.objects.get(pk=ready.pk)
            assert signed.status == Screening.Status.SIGNED and signed.patient_signed_name == expected


@HOSTILE
@given(
    codes=st.lists(
        st.one_of(hostile_text, st.sampled_from(["unproven", "keep-a-copy", "UNPROVEN", "unproven "])), max_size=12
    )
)
def test_statements_must_be_exactly_this_versions_statements(alice_client, ready, codes):
    required = {a.code for a in checklist_spec(ready.version).acknowledgements}
    assume(set(codes) != required)
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, acknowledgements=codes))
        assert_refused_unchanged(response, ready, before)


def test_every_statement_plus_an_invented_one_is_refused(alice_client, ready):
    codes = [a.code for a in checklist_spec(ready.version).acknowledgements]
    before = world_fingerprint()
    response = alice_client.post(
        consent_url(ready), consent_post(ready, PASSWORD, acknowledgements=[*codes, "i-waive-all-rights"])
    )
    assert_refused_unchanged(response, ready, before)


def test_a_statement_ticked_twice_still_needs_all_of_them(alice_client, ready):
    codes = [a.code for a in checklist_spec(ready.version).acknowledgements]
    before = world_fingerprint()
    response = alice_client.post(
        consent_url(ready), consent_post(ready, PASSWORD, acknowledgements=[codes[0]] * len(codes))
    )
    assert_refused_unchanged(response, ready, before)


@HOSTILE
@given(decision=st.one_of(hostile_text, st.sampled_from(["PROCEED", "proceed ", "yes", "1", "true"])))
def test_a_decision_that_is_not_offered_is_refused(alice_client, ready, decision):
    assume(decision not in Decision.values)
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, decision=decision))
        assert_refused_unchanged(response, ready, before)


@HOSTILE_FEW
@given(password=st.one_of(hostile_text, st.sampled_from([PASSWORD + " ", " " + PASSWORD, PASSWORD.upper()])))
def test_any_other_password_does_not_sign(alice_client, ready, password):
    assume(password != PASSWORD)
    with rolled_back():
        before = world_fingerprint()
        response = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, clinician_password=password))
        assert_refused_unchanged(response, ready, before)


def test_the_password_of_a_colleague_does_not_sign(alice_client, carol, ready):
    """carol has the same password as alice in these tests; only the signed-in user's counts."""
    before = world_fingerprint()
    response = alice_client.post(
        consent_url(ready), consent_post(ready, PASSWORD, clinician_password="", clinician_username="carol")
    )
    assert_refused_unchanged(response, ready, before)


@pytest.mark.parametrize("attestation", [None, "", "false"])
def test_without_the_clinicians_attestation_nothing_is_signed(alice_client, ready, attestation):
    data = consent_post(ready, PASSWORD)
    if attestation is None:
        del data["clinician_attestation"]
    else:
        data["clinician_attestation"] = attestation
    before = world_fingerprint()
    assert_refused_unchanged(alice_client.post(consent_url(ready), data), ready, before)


@pytest.mark.renders_pdf
def test_fields_that_are_not_on_the_form_are_ignored(alice_client, ready, bob):
    data = consent_post(
        ready,
        PASSWORD,
        attested_by=bob.pk,
        signed_at="2001-01-01T00:00:00Z",
        verification_code="0000000000",
        pdf_sha256="0" * 64,
        status="voided",
        findings_snapshot='{"assessment": {"level": "none"}}',
    )
    assert alice_client.post(consent_url(ready), data).status_code == 302
    signed = Screening.objects.get(pk=ready.pk)
    assert signed.status == Screening.Status.SIGNED and signed.attested_by == ready.clinician
    assert signed.verification_code != "0000000000" and signed.pdf_sha256 != "0" * 64
    assert signed.signed_at.year > 2001


@pytest.mark.renders_pdf
def test_a_double_submit_signs_once(alice_client, ready):
    first = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, decision="wait"))
    assert first.status_code == 302
    signed = Screening.objects.get(pk=ready.pk)
    before = world_fingerprint()
    second = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, decision="proceed"))
    assert second.status_code == 403
    assert world_fingerprint() == before
    assert AuditEvent.objects.filter(screening=ready, action="screening.signed").count() == 1
    again = Screening.objects.get(pk=ready.pk)
    assert (again.decision, again.signed_at, again.pdf_sha256) == ("wait", signed.signed_at, signed.pdf_sha256)


def test_a_draft_with_unanswered_questions_cannot_be_signed(alice_client, draft):
    before = world_fingerprint()
    response = alice_client.post(consent_url(draft), consent_post(draft, PASSWORD))
    assert response.status_code == 302
    assert response["Location"] == reverse("checklist:screening-review", args=[draft.pk])
    assert world_fingerprint() == before


def test_the_refused_form_shows_the_typed_name_escaped(alice_client, ready):
    name = '<script>alert("x")</script>'
    response = alice_client.post(
        consent_url(ready), consent_post(ready, PASSWORD, patient_signed_name=name, clinician_password="wrong")
    )
    html = response.content.decode()
    assert escape(name) in html and name not in html


def test_a_locked_out_clinician_cannot_sign_even_with_the_right_password(alice_client, ready, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        alice_client.post(consent_url(ready), consent_post(ready, PASSWORD, clinician_password="guess"))
    before = world_fingerprint()
    response = alice_client.post(consent_url(ready), consent_post(ready, PASSWORD))
    assert response.status_code in (400, 429)
    assert Screening.objects.get(pk=ready.pk).status == Screening.Status.AWAITING_SIGNATURE
    assert world_fingerprint() == before
