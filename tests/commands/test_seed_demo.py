"""seed_demo makes a usable demo and can run again without duplicating anything."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from checklist.models import Screening
from checklist.selectors import screening_signed_record, screening_withdrawal
from clinic.models import Clinic, Membership
from tests.conftest import login_verified


@pytest.mark.renders_pdf
def test_it_creates_the_demo_and_is_idempotent(db, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert Clinic.objects.count() == 1
    users = get_user_model().objects
    assert users.get(username="demo-clinician").check_password("a-demo-password-for-tests")
    assert Membership.objects.get(user__username="demo-admin").role == Membership.Role.ADMIN
    assert users.get(username="demo-editor").is_staff
    assert Screening.objects.count() == 11  # two of them made from the demo's product and lot dossiers
    # Every state a clinic meets.
    statuses = sorted(Screening.objects.values_list("status", flat=True))
    assert statuses == ["awaiting_signature", "draft", "draft", *["signed"] * 7, "voided"]
    assert screening_withdrawal(Screening.objects.get(patient_name="Noah Kim")) is not None
    ready = Screening.objects.get(patient_name="Sofia Brennan")
    assert ready.decision == "proceed" and screening_signed_record(ready).reflection.earliest < timezone.now()
    voided = Screening.objects.get(status="voided")
    assert voided.voided_by.username == "demo-admin" and "wrong patient" in voided.void_reason
    represented = screening_signed_record(Screening.objects.get(patient_name="Tomás Ferreira")).signing
    assert represented.by_representative and represented.signed_name == "Ana Ferreira" and represented.relationship
    assert represented.companion("interpreter").language == "Portuguese"
    risky = Screening.objects.get(patient_name="Jordan Avery")
    assert risky.overall_risk == "red_flag" and risky.pdf_sha256
    assert Screening.objects.get(patient_name="Maria Lopez").overall_risk == "none"
    going_ahead = Screening.objects.get(patient_name="Alex Morgan")
    assert going_ahead.decision == "proceed" and going_ahead.cosigned_by.username == "demo-admin"
    outcomes = sorted(r.outcome for r in screening_signed_record(going_ahead).resolutions)
    assert outcomes == ["accepted", "resolved"]
    assert "Demo only" in out.getvalue()


def test_the_editor_can_open_the_checklist_in_the_admin(db, client, tasks_queued):
    call_command("seed_demo", stdout=io.StringIO())
    login_verified(client, get_user_model().objects.get(username="demo-editor"))
    response = client.get("/admin/checklist/question/")
    assert response.status_code == 200
    assert "source_origin" in response.content.decode()
    assert client.get("/admin/clinic/clinic/").status_code == 403  # clinics are for site admins


def test_with_a_retired_version_the_demo_has_a_draft_to_move_and_a_patient_to_consent_again(
    db, monkeypatch, tasks_queued
):
    """Whatever the newest version is: here one built from v1 in the test and published."""
    from checklist.selectors import screening_retired_version_state, screenings_to_reconsent
    from tests.versions_fixture import build_next_version

    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    nxt = build_next_version(2)
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Screening.objects.count() == 13  # two under v1, two from the dossiers
    clinic = Clinic.objects.get()
    draft = Screening.objects.get(patient_reference="HS-10440")
    assert draft.version.number == 1 and draft.status == "draft" and draft.answers.exists()
    state = screening_retired_version_state(draft)
    assert state is not None and state.published_number == nxt.version.number and not state.must_move
    go_ahead = Screening.objects.get(patient_reference="HS-10441")
    assert go_ahead.version.number == 1 and go_ahead.decision == "proceed"
    assert list(screenings_to_reconsent(clinic)) == [go_ahead]
    # New screenings are under the published version.
    assert Screening.objects.filter(version=nxt.version).count() == 11


def test_the_demo_dossiers_answer_their_questions_under_v2(version_v2):
    """v2 asks product, lot and clinic questions: the demo's dossiers answer them."""
    from dossiers.models import Lot, Product, ScreeningDossier

    call_command("seed_demo", stdout=io.StringIO())
    assert Product.objects.count() == 2 and Lot.objects.count() == 3
    assert [lot.lot_number for lot in Lot.objects.all() if lot.is_expired()] == ["VC-2503-007"]
    uses = ScreeningDossier.objects.select_related("screening")
    assert len(uses) == 2 and all(len(use.dossier_answers) > 20 for use in uses)
    assert sorted(use.screening.status for use in uses) == ["draft", "signed"]
