"""The public verification page: four facts of a signed record, and a check of an uploaded PDF."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from checklist.forms_verify import MAX_UPLOAD_BYTES, VerifyForm, normalise_code
from checklist.services.screenings import screening_void

VERIFY = reverse("checklist:verify")
MATCH = "This file is exactly the document that was issued with this code."
MISMATCH = "This file is NOT the document that was issued with this code."


def code_url(code: str) -> str:
    return reverse("checklist:verify-code", args=[code])


@pytest.fixture
def signed(make_screening, clinic_a, alice):
    return make_screening(
        clinic_a,
        alice,
        answers="clean",
        signed=True,
        patient_name="Harriet Quimby-Secret",
        patient_reference="MRN-SECRET-42",
        product_name="SecretGlow Serum",
    )


def stored(screening) -> bytes:
    with screening.pdf.open("rb") as fh:
        return fh.read()


def assert_nothing_about_the_patient(html: str, screening) -> None:
    for private in (
        screening.patient_name,
        screening.patient_reference,
        screening.product_name,
        screening.reference,
        screening.patient_dob.strftime("%Y"),
        "Harriet",
    ):
        assert private not in html, private


def test_the_form_is_public_and_labels_every_input(client):
    response = client.get(VERIFY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_code"' in html and 'for="id_document"' in html
    assert 'enctype="multipart/form-data"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.renders_pdf
def test_a_valid_code_shows_clinic_date_status_and_sha256_only(client, signed):
    response = client.get(code_url(signed.verification_code))
    assert response.status_code == 200
    html = response.content.decode()
    assert signed.clinic.name in html
    assert timezone.localdate(signed.signed_at).strftime("%B %Y") in html
    assert "Valid" in html and "Voided" not in html
    assert signed.pdf_sha256 in html
    assert_nothing_about_the_patient(html, signed)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_voided_record_says_voided(client, signed, alice):
    screening_void(screening=signed, user=alice, reason="Consent withdrawn by Harriet")
    html = client.get(code_url(signed.verification_code)).content.decode()
    assert "Voided" in html
    assert "withdrawn by Harriet" not in html
    assert_nothing_about_the_patient(html, signed)


def test_an_unknown_code_is_404(client, db):
    assert client.get(code_url("0000000000")).status_code == 404
    assert client.get(code_url("not-a-code!")).status_code == 404


def test_a_draft_has_no_public_record(client, make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice)
    assert draft.verification_code is None
    assert client.get(code_url("AAAAAAAAAA")).status_code == 404


def test_a_code_typed_loosely_redirects_to_its_canonical_form(client, signed):
    code = signed.verification_code
    loose = f"{code[:5].lower()}-{code[5:].lower()}"
    response = client.get(code_url(loose))
    assert response.status_code == 302 and response["Location"] == code_url(code)


def test_the_result_page_refuses_other_methods(client, signed):
    assert client.post(code_url(signed.verification_code)).status_code == 405
    assert client.put(VERIFY).status_code == 405


@pytest.mark.renders_pdf
def test_posting_the_very_document_says_it_matches(client, signed):
    upload = SimpleUploadedFile("mine.pdf", stored(signed), content_type="application/pdf")
    response = client.post(VERIFY, {"code": signed.verification_code, "document": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert MATCH in html
    assert MISMATCH not in html
    assert_nothing_about_the_patient(html, signed)


@pytest.mark.renders_pdf
def test_posting_a_tampered_document_says_it_does_not_match(client, signed):
    data = bytearray(stored(signed))
    data[300] ^= 0x01
    upload = SimpleUploadedFile("mine.pdf", bytes(data), content_type="application/pdf")
    html = client.post(VERIFY, {"code": signed.verification_code, "document": upload}).content.decode()
    assert MISMATCH in html
    assert MATCH not in html


@pytest.mark.renders_pdf
def test_posting_a_document_of_a_voided_record_matches_but_warns(client, signed, alice):
    original = stored(signed)
    screening_void(screening=signed, user=alice, reason="Duplicate")
    upload = SimpleUploadedFile("mine.pdf", original, content_type="application/pdf")
    html = client.post(VERIFY, {"code": signed.verification_code, "document": upload}).content.decode()
    assert MATCH in html and "voided this record" in html


@pytest.mark.renders_pdf
def test_posting_a_code_alone_shows_the_record(client, signed):
    html = client.post(VERIFY, {"code": signed.verification_code.lower()}).content.decode()
    assert signed.pdf_sha256 in html
    assert MATCH not in html and MISMATCH not in html


def test_posting_an_unknown_or_malformed_code_says_so(client, db):
    html = client.post(VERIFY, {"code": "0000000000"}).content.decode()
    assert "No signed document has this code" in html
    html = client.post(VERIFY, {"code": "abc"}).content.decode()
    assert "10 letters and digits" in html
    html = client.post(VERIFY, {}).content.decode()
    assert "This field is required" in html


def test_an_upload_over_10_mb_is_refused_with_a_clear_message(client, signed):
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (MAX_UPLOAD_BYTES + 100 * 1024), content_type="application/pdf"
    )
    response = client.post(VERIFY, {"code": signed.verification_code, "document": big})
    assert response.status_code == 413
    assert "larger than 10 MB" in response.content.decode()


def test_the_form_itself_caps_the_file_size(signed):
    just_over = SimpleUploadedFile("big.pdf", b"0" * (MAX_UPLOAD_BYTES + 1), content_type="application/pdf")
    form = VerifyForm({"code": signed.verification_code}, {"document": just_over})
    assert not form.is_valid()
    assert "larger than 10 MB" in str(form.errors["document"])


def test_codes_are_normalised_like_crockford_base32():
    assert normalise_code(" ab-cd efgh io ") == "ABCDEFGH10"
    assert normalise_code("7k3m-9qx2-tb") == "7K3M9QX2TB"
