"""Screening from a dossier: the product's, lot's and clinic's questions pre-answered from their
revisions, confirmed a step at a time for this patient, changed with a note, assessed as if typed,
and frozen at signing whatever the dossier does afterwards."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklist.demo import answer_all_sections, sign_screening
from checklist.models import AuditEvent, Screening
from checklist.risk import evaluate
from checklist.selectors import checklist_spec, screening_answers, screening_record, screening_signed_record
from checklist.services.screenings import screening_start
from dossiers.models import DossierOverride, ScreeningDossier
from dossiers.selectors import latest_revision
from dossiers.services import lot_save, screening_start_from_dossier
from tests.conftest import start_data
from tests.dossiers.conftest import confirm_all_sections, lot_data, scope_answers

pytestmark = pytest.mark.django_db


def test_it_pre_answers_the_dossier_questions_and_points_at_the_revisions(full_dossier, clinic_a, alice):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    use = ScreeningDossier.objects.get(screening=screening)
    assert use.lot_revision == latest_revision(full_dossier)
    assert use.product_revision == latest_revision(full_dossier.product)
    assert use.clinic_revision is not None
    spec = checklist_spec(screening.version)
    answers = screening_answers(screening)
    assert {q.code for q in spec.questions if q.scope != "patient"} <= set(answers)
    assert not {q.code for q in spec.questions if q.scope == "patient"} & set(answers)
    assert screening.product_name == "CordVes Full" and screening.saved_sections == []
    assert AuditEvent.objects.filter(screening=screening, action="screening.dossier_used").exists()


def test_typed_or_from_a_dossier_the_same_answers_give_the_same_assessment(full_dossier, clinic_a, alice):
    from_dossier = confirm_all_sections(
        screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier), alice
    )
    values = screening_answers(from_dossier)
    typed = screening_start(clinic=clinic_a, clinician=alice, data=start_data())
    typed = answer_all_sections(typed, "clean", alice, overrides=values)
    assert screening_answers(typed) == values
    spec = checklist_spec(typed.version)
    assert evaluate(spec, values, typed.risk_context()) == evaluate(spec, values, from_dossier.risk_context())
    assert screening_record(typed).assessment == screening_record(from_dossier).assessment
    assert (typed.overall_risk, typed.red_flag_count, typed.caution_count, typed.status) == (
        from_dossier.overall_risk,
        from_dossier.red_flag_count,
        from_dossier.caution_count,
        from_dossier.status,
    )
    assert from_dossier.status == Screening.Status.AWAITING_SIGNATURE


def test_a_changed_answer_needs_a_note_and_is_kept_as_an_override(full_dossier, clinic_a, alice):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    before = screening_answers(screening)
    with pytest.raises(ValidationError) as refused:
        confirm_all_sections(screening, alice, changes={"donor_screening": "unsure"})
    assert "donor_screening" in refused.value.message_dict
    assert screening_answers(screening) == before and not DossierOverride.objects.exists()
    screening = confirm_all_sections(
        screening, alice, changes={"donor_screening": "unsure"}, notes={"donor_screening": "Vial from an old box."}
    )
    override = DossierOverride.objects.get(screening=screening)
    assert (override.question_code, override.dossier_value, override.value) == ("donor_screening", "yes", "unsure")
    assert screening_answers(screening)["donor_screening"] == "unsure"
    record = screening_record(screening)
    assert record.dossier.origin("donor_screening") == "override"
    assert record.dossier.origin("source_origin") == "dossier"
    assert record.dossier.origin("followup_arranged") == ""
    assert AuditEvent.objects.filter(screening=screening, action="screening.dossier_overridden").count() == 1


def test_a_signed_screening_keeps_the_dossier_answers_as_they_were(full_dossier, clinic_a, alice, carol):
    screening = sign_screening(
        confirm_all_sections(
            screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier),
            alice,
        ),
        alice,
    )
    signed = screening_signed_record(screening)
    lot_save(
        clinic=clinic_a,
        actor=carol,
        lot=full_dossier,
        data=lot_data(lot_number="F-1", has_certificate=False),
        answers=scope_answers(screening.version, "lot", sterility_certificate="no"),
    )
    screening.refresh_from_db()
    again = screening_signed_record(screening)
    assert again == signed
    assert again.answers["sterility_certificate"].value == "yes"
    assert [s.revision for s in again.dossier.sources if s.scope == "lot"] == [1]
    assert screening_answers(screening)["sterility_certificate"] == "yes"


def test_a_draft_is_told_what_changed_in_its_dossier_and_can_take_it(full_dossier, clinic_a, alice, carol, client):
    screening = confirm_all_sections(
        screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier), alice
    )
    lot_save(
        clinic=clinic_a,
        actor=carol,
        lot=full_dossier,
        data=lot_data(lot_number="F-1"),
        answers=scope_answers(screening.version, "lot", lot_number="F-1", storage_cold_chain="unsure"),
    )
    client.force_login(alice)
    page = client.get(reverse("checklist:screening-review", args=[screening.pk])).content.decode()
    assert "A dossier changed since this screening took its answers" in page
    assert "revision 2" in page and "Not sure" in page
    response = client.post(reverse("dossiers:screening-refresh", args=[screening.pk]))
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening_answers(screening)["storage_cold_chain"] == "unsure"
    assert "source" not in screening.saved_sections  # its answers changed: confirmed again
    assert ScreeningDossier.objects.get(screening=screening).lot_revision.number == 2
    page = client.get(reverse("checklist:screening-review", args=[screening.pk])).content.decode()
    assert "A dossier changed since" not in page


@pytest.mark.parametrize(
    ("lot_fields", "product_label", "finding_answer"),
    [
        ({"expiry_date": "2020-01-01"}, "cosmetic", ("storage_cold_chain", "no")),
        ({"has_certificate": False}, "cosmetic", ("sterility_certificate", "no")),
        ({}, "research_only", ("product_label", "research_use_only")),
    ],
)
def test_dossier_facts_raise_their_flags(version_v2, clinic_a, alice, carol, lot_fields, product_label, finding_answer):
    from dossiers.services import product_save
    from tests.dossiers.conftest import PRODUCT_DATA

    product = product_save(
        clinic=clinic_a,
        actor=carol,
        data={**PRODUCT_DATA, "label": product_label},
        answers=scope_answers(version_v2, "product"),
    )
    lot = lot_save(
        clinic=clinic_a,
        actor=carol,
        product=product,
        data=lot_data(**lot_fields),
        answers=scope_answers(version_v2, "lot"),
    )
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=lot)
    code, value = finding_answer
    assert screening_answers(screening)[code] == value
    flagged = {f.question_code for f in screening_record(screening).assessment.findings}
    assert code in flagged


def test_the_start_page_starts_from_a_lot(full_dossier, alice_client):
    page = alice_client.get(reverse("checklist:screening-start")).content.decode()
    assert "A product not in our list" in page and "CordVes Full, lot F-1" in page
    data = start_data(product_name="", product_maker="")
    data["jurisdiction"] = data["jurisdiction"].pk
    response = alice_client.post(reverse("checklist:screening-start"), {**data, "lot": full_dossier.pk})
    assert response.status_code == 302
    screening = Screening.objects.get(patient_name=data["patient_name"])
    assert screening.product_name == "CordVes Full"
    assert ScreeningDossier.objects.filter(screening=screening, lot=full_dossier).exists()


def test_the_start_page_refuses_another_clinics_lot(full_dossier, lot_b, alice_client):
    data = start_data()
    data["jurisdiction"] = data["jurisdiction"].pk
    response = alice_client.post(reverse("checklist:screening-start"), {**data, "lot": lot_b.pk})
    assert response.status_code == 400
    assert not Screening.objects.filter(patient_name=data["patient_name"]).exists()


def test_a_step_shows_the_dossier_answers_and_refuses_a_change_without_a_note(full_dossier, clinic_a, alice, client):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    client.force_login(alice)
    url = reverse("checklist:screening-step", args=[screening.pk, "source"])
    page = client.get(url).content.decode()
    assert "From the product dossier, reviewed by" in page and "From the lot dossier, reviewed by" in page
    assert "Confirm for this patient and continue" in page and "Change for this patient" in page
    posted = {f"q__{code}": value for code, value in screening_answers(screening).items()}
    posted.update({"lock_version": screening.lock_version, "q__donor_screening": "no", "save_continue": ""})
    response = client.post(url, posted)
    assert response.status_code == 400
    assert "Say why this answer is different for this patient." in response.content.decode()
    posted["override__donor_screening"] = "The patient's vial came from another box."
    response = client.post(url, posted)
    assert response.status_code == 302
    screening.refresh_from_db()
    assert "source" in screening.saved_sections
    review = client.get(reverse("checklist:screening-review", args=[screening.pk])).content.decode()
    assert "Changed for this patient" in review and "another box" in review and "From the dossier" in review
