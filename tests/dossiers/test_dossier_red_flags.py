"""Dossier answers drive risk for every patient: the flags a product, lot or the clinic profile
raises reach every screening that uses it, the dashboard lists the red-flagged ones, and an admin
who gives a lot a red flag sees the screenings not yet treated that use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.demo import sign_screening
from checklist.selectors import screening_record
from dossiers.services import clinic_profile_save, lot_save, screening_start_from_dossier
from tests.conftest import login_verified, start_data
from tests.dossiers.conftest import confirm_all_sections, lot_data, scope_answers

pytestmark = pytest.mark.django_db


def test_an_unlicensed_practitioner_raises_its_red_flag_in_every_screening(
    full_dossier, version_v2, clinic_a, alice, carol
):
    clinic_profile_save(
        clinic=clinic_a,
        actor=carol,
        data={
            "setting": "unlicensed",
            "practitioners": "A beautician",
            "emergency_plan": "None",
            "contact_line": "+1 555 0101",
        },
        answers=scope_answers(version_v2, "clinic", practitioner_licensed="no"),
    )
    for _patient in range(2):
        screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
        red = {f.question_code for f in screening_record(screening).assessment.red_flags}
        assert "practitioner_licensed" in red


def test_the_dashboard_lists_the_lots_and_products_with_red_flags(full_dossier, clinic_a, carol, alice_client):
    page = alice_client.get(reverse("checklist:dashboard")).content.decode()
    assert "Products and lots with red flags" not in page
    lot_save(
        clinic=clinic_a,
        actor=carol,
        lot=full_dossier,
        data=lot_data(lot_number="F-1", has_certificate=False),
        answers=scope_answers(full_dossier.revisions.first().version, "lot"),
    )
    page = alice_client.get(reverse("checklist:dashboard")).content.decode()
    assert "Products and lots with red flags" in page
    assert "CordVes Full, lot F-1" in page and reverse("dossiers:lot", args=[full_dossier.pk]) in page


def test_the_admin_sees_the_screenings_not_yet_treated_that_use_a_lot_turned_red(
    full_dossier, clinic_a, alice, carol, client
):
    draft = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    signed = sign_screening(
        confirm_all_sections(
            screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier), alice
        ),
        alice,
    )
    typed_elsewhere = screening_start_from_dossier(
        clinic=clinic_a,
        clinician=alice,
        data=start_data(),
        lot=lot_save(
            clinic=clinic_a, actor=carol, product=full_dossier.product, data=lot_data(lot_number="F-2"), answers={}
        ),
    )
    login_verified(client, carol)
    version = full_dossier.revisions.first().version
    posted = {
        "lot_number": "F-1",
        "expiry_date": lot_data()["expiry_date"].isoformat(),
        "sterility_result": "",
        "endotoxin_result": "",
        "storage_log": "",
        **{f"answers-q__{code}": value for code, value in scope_answers(version, "lot", lot_number="F-1").items()},
    }  # no "has_certificate": the certificate is no longer held
    response = client.post(reverse("dossiers:lot-edit", args=[full_dossier.pk]), posted, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This lot now raises a red flag. 2 screenings not yet treated use it" in page
    assert draft.reference in page and signed.reference in page and typed_elsewhere.reference not in page
