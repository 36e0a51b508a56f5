"""Confirming, in one action, every step that only the dossiers answer: nothing asked of the
patient, nothing open, no flag or caution. A step with a finding or a patient question keeps its
own step; the rest of the flow is unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.models import AuditEvent
from checklist.risk import evaluate
from checklist.selectors import checklist_spec, screening_answers
from dossiers.models import DossierOverride
from dossiers.services import screening_dossier_sections_confirm, screening_start_from_dossier
from tests.conftest import start_data

pytestmark = pytest.mark.django_db


def calm_start(**overrides) -> dict:
    """A treatment on the skin: the calm dossier's answers raise no flag or caution then."""
    return start_data(**{"route": "topical", "intended_use": "skin", **overrides})


def only_dossier_sections(spec) -> list[str]:
    return [s.code for s in spec.sections if all(q.scope != "patient" for q in s.questions)]


def test_it_confirms_every_step_only_the_dossiers_answer(full_dossier, clinic_a, alice):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=calm_start(), lot=full_dossier)
    spec = checklist_spec(screening.version)
    before = screening_answers(screening)
    screening, confirmed = screening_dossier_sections_confirm(screening=screening, user=alice)
    assert list(confirmed) == only_dossier_sections(spec) == ["source", "regulatory"]
    assert screening.saved_sections == list(confirmed)
    assert screening_answers(screening) == before and not DossierOverride.objects.exists()
    assert AuditEvent.objects.filter(screening=screening, action="screening.dossier_confirmed").count() == 2


def test_a_step_with_a_finding_or_a_patient_question_keeps_its_own_step(full_dossier, clinic_a, alice):
    """Injected, a cosmetic-labelled product raises findings in the regulatory step: it is left
    for its own page, and the steps asking the patient are never confirmed for them."""
    screening = screening_start_from_dossier(
        clinic=clinic_a, clinician=alice, data=calm_start(route="injection_skin", intended_use="skin"), lot=full_dossier
    )
    spec = checklist_spec(screening.version)
    findings = evaluate(spec, screening_answers(screening), screening.risk_context()).for_section("regulatory")
    assert findings
    screening, confirmed = screening_dossier_sections_confirm(screening=screening, user=alice)
    assert "regulatory" not in confirmed and "regulatory" not in screening.saved_sections
    patient_steps = {s.code for s in spec.sections if any(q.scope == "patient" for q in s.questions)}
    assert patient_steps and not patient_steps & set(screening.saved_sections)


def test_the_step_page_offers_it_and_one_post_confirms_them_all(full_dossier, clinic_a, alice, client):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=calm_start(), lot=full_dossier)
    client.force_login(alice)
    url = reverse("checklist:screening-step", args=[screening.pk, "source"])
    page = client.get(url).content.decode()
    assert "Confirm this step and every step the dossiers answer" in page
    assert "<strong>Regulatory status</strong>" in page
    posted = {f"q__{code}": value for code, value in screening_answers(screening).items()}
    posted.update({"lock_version": screening.lock_version, "confirm_dossier_steps": ""})
    response = client.post(url, posted)
    assert response.status_code == 302
    assert response.url == reverse("checklist:screening-step", args=[screening.pk, "evidence"])
    screening.refresh_from_db()
    assert screening.saved_sections == ["source", "regulatory"]
    followed = client.get(response.url).content.decode()
    assert "confirmed for this patient as the dossiers answer them: Regulatory status" in followed
    # Nothing left to confirm at once: the evidence step asks the patient and does not offer it.
    assert "Confirm this step and every step the dossiers answer" not in followed


def test_a_change_on_this_step_still_needs_its_note(full_dossier, clinic_a, alice, client):
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=calm_start(), lot=full_dossier)
    client.force_login(alice)
    url = reverse("checklist:screening-step", args=[screening.pk, "source"])
    posted = {f"q__{code}": value for code, value in screening_answers(screening).items()}
    posted.update({"lock_version": screening.lock_version, "q__donor_screening": "no", "confirm_dossier_steps": ""})
    response = client.post(url, posted)
    assert response.status_code == 400
    screening.refresh_from_db()
    assert screening.saved_sections == []


def test_a_screening_typed_in_full_is_not_offered_it(make_screening, clinic_a, alice, client):
    screening = make_screening(clinic_a, alice)
    client.force_login(alice)
    page = client.get(reverse("checklist:screening-step", args=[screening.pk, "source"])).content.decode()
    assert "Confirm this step and every step the dossiers answer" not in page
    assert screening_dossier_sections_confirm(screening=screening, user=alice)[1] == ()
