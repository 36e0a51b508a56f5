"""The dossier pages: admins keep products, lots and the profile; clinicians read them; another
clinic's product, lot, revision and document answer 404, downloads included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Lot, Product
from dossiers.selectors import latest_revision
from dossiers.services import document_upload
from tests.conftest import login_verified
from tests.dossiers.test_uploads import small_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def document_a(product_a, clinic_a, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return document_upload(
        clinic=clinic_a,
        actor=carol,
        title="Certificate",
        upload=SimpleUploadedFile("c.pdf", small_pdf()),
        product=product_a,
    )


def test_it_redirects_the_anonymous_to_sign_in(client, product_a):
    response = client.get(reverse("dossiers:product", args=[product_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_adds_a_product_with_answers(carol_client, version_v2, clinic_a):
    response = carol_client.post(
        reverse("dossiers:product-new"),
        {
            "name": "CordVes 200",
            "maker": "Example Biologics",
            "label": "cosmetic",
            "answers-q__product_label": "cosmetic",
            "answers-q__source_origin": "perinatal_msc",
        },
    )
    product = Product.objects.get(clinic=clinic_a, name="CordVes 200")
    assert response.status_code == 302 and response["Location"] == reverse("dossiers:product", args=[product.pk])
    assert latest_revision(product).answers == {"product_label": "cosmetic", "source_origin": "perinatal_msc"}
    page = carol_client.get(response["Location"])
    assert "reviewed by Carol Tester" in page.content.decode()


def test_bad_input_changes_nothing_and_keeps_what_was_typed(carol_client, version_v2, clinic_a):
    response = carol_client.post(
        reverse("dossiers:product-new"),
        {"name": "Kept name", "maker": "", "label": "poison", "answers-q__product_label": "x"},
    )
    assert response.status_code == 400
    assert not Product.objects.filter(clinic=clinic_a).exists()
    assert "Kept name" in response.content.decode()


def test_an_admin_adds_a_lot_and_an_expired_one_is_flagged(carol_client, product_a, clinic_a):
    response = carol_client.post(
        reverse("dossiers:lot-new", args=[product_a.pk]),
        {"lot_number": "OLD-1", "expiry_date": "2020-01-01", "answers-q__lot_number": "OLD-1"},
    )
    lot = Lot.objects.get(lot_number="OLD-1")
    assert response.status_code == 302
    page = carol_client.get(reverse("dossiers:lot", args=[lot.pk])).content.decode()
    assert "Expired" in page and "No certificate of analysis" in page
    listing = carol_client.get(reverse("dossiers:list")).content.decode()
    assert "OLD-1" in listing and "Expired" in listing


def test_a_clinician_reads_but_cannot_edit(alice_client, product_a):
    assert alice_client.get(reverse("dossiers:product", args=[product_a.pk])).status_code == 200
    assert alice_client.get(reverse("dossiers:product-edit", args=[product_a.pk])).status_code == 403
    assert alice_client.post(reverse("dossiers:product-new"), {"name": "x"}).status_code == 403


def test_the_clinic_profile_is_saved_as_a_revision(carol_client, version_v2, clinic_a):
    response = carol_client.post(
        reverse("dossiers:clinic-profile"),
        {
            "setting": "licensed",
            "practitioners": "Dr Ana Lima, MD-12345",
            "emergency_plan": "Adrenaline, oxygen",
            "contact_line": "+1 555 0101",
            "answers-q__practitioner_licensed": "yes",
        },
    )
    assert response.status_code == 302
    assert latest_revision(clinic_a.profile).answers == {"practitioner_licensed": "yes"}


def test_wrong_method_is_refused(carol_client, product_a):
    assert carol_client.post(reverse("dossiers:product", args=[product_a.pk])).status_code == 405
    assert carol_client.get(reverse("dossiers:product-document-upload", args=[product_a.pk])).status_code == 405


def test_staff_download_their_clinics_document(alice_client, document_a):
    response = alice_client.get(reverse("dossiers:document", args=[document_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_document_is_not_under_the_public_media_folder(document_a, settings):
    from pathlib import Path

    path = Path(document_a.file.path).resolve()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.parents
    assert Path(settings.MEDIA_ROOT).resolve() not in path.parents
    with pytest.raises(ValueError):
        document_a.file.url  # noqa: B018


def test_another_clinic_sees_nothing(client, dave, product_a, lot_a, document_a):
    login_verified(client, dave)
    revision = latest_revision(product_a)
    for url in (
        reverse("dossiers:product", args=[product_a.pk]),
        reverse("dossiers:product-edit", args=[product_a.pk]),
        reverse("dossiers:lot-new", args=[product_a.pk]),
        reverse("dossiers:lot", args=[lot_a.pk]),
        reverse("dossiers:lot-edit", args=[lot_a.pk]),
        reverse("dossiers:revision", args=[revision.pk]),
        reverse("dossiers:document", args=[document_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("dossiers:product-edit", args=[product_a.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("dossiers:lot-document-upload", args=[lot_a.pk]), {}).status_code == 404
    assert "CordVes" not in client.get(reverse("dossiers:list")).content.decode()


def test_a_clinician_of_another_clinic_cannot_download(bob_client, document_a):
    assert bob_client.get(reverse("dossiers:document", args=[document_a.pk])).status_code == 404
