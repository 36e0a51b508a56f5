"""Dossiers keep revisions: a change is a new revision (who, when), an unchanged save is not, and
answers are checked against the questions of the dossier's scope, read from the version."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from checklist.selectors import checklist_spec
from checklist.vocabulary import Scope
from dossiers.models import DossierRevision
from dossiers.selectors import latest_revision, scope_questions
from dossiers.services import product_save
from tests.dossiers.conftest import PRODUCT_DATA


def test_v2_has_every_scope_and_v1_stays_patient_only(version, version_v2):
    assert version_v2.number == 2
    scopes = {q.scope for q in checklist_spec(version_v2).questions}
    assert scopes == {Scope.PRODUCT, Scope.LOT, Scope.CLINIC, Scope.PATIENT}
    version.refresh_from_db()
    assert {q.scope for q in checklist_spec(version).questions} == {Scope.PATIENT}


def test_scope_questions_come_from_the_version(version, version_v2):
    """The published version's own scopes: v2 asks the lot number of the lot, v1 asks it of the
    patient, so a dossier of v1's lots answers nothing."""
    assert "lot_number" in {q.code for q in scope_questions(Scope.LOT)}
    version.refresh_from_db()
    assert "lot_number" not in {q.code for q in scope_questions(Scope.LOT, version)}


def test_a_change_makes_a_new_revision_and_the_same_save_does_not(product_a, clinic_a, carol):
    first = latest_revision(product_a)
    assert first.number == 1 and first.created_by == carol
    assert first.answers == {"source_origin": "perinatal_msc", "product_label": "cosmetic"}
    product_save(clinic=clinic_a, actor=carol, product=product_a, data=PRODUCT_DATA, answers=first.answers)
    assert product_a.revisions.count() == 1
    product_save(
        clinic=clinic_a,
        actor=carol,
        product=product_a,
        data=PRODUCT_DATA,
        answers={**first.answers, "product_label": "research_use_only"},
    )
    second = latest_revision(product_a)
    assert second.number == 2 and second.answers["product_label"] == "research_use_only"
    first.refresh_from_db()
    assert first.answers["product_label"] == "cosmetic"


def test_answers_outside_the_scope_are_dropped_and_bad_ones_refused(product_a, clinic_a, carol):
    product_save(
        clinic=clinic_a,
        actor=carol,
        product=product_a,
        data=PRODUCT_DATA,
        answers={"lot_number": "X", "medical_history_reviewed": "yes"},
    )
    assert latest_revision(product_a).answers == {}
    with pytest.raises(ValidationError):
        product_save(
            clinic=clinic_a, actor=carol, product=product_a, data=PRODUCT_DATA, answers={"product_label": "poison"}
        )


def test_a_revision_is_never_changed(product_a):
    revision = latest_revision(product_a)
    revision.answers = {}
    with pytest.raises(ValueError):
        revision.save()
    assert DossierRevision.objects.get(pk=revision.pk).answers


def test_expired_and_uncertified_lots_are_flagged(lot_a, clinic_a, carol):
    import datetime as dt

    from django.utils import timezone

    from dossiers.services import lot_save
    from tests.dossiers.conftest import lot_data

    assert lot_a.warnings == []
    lot_save(
        clinic=clinic_a,
        actor=carol,
        lot=lot_a,
        data=lot_data(expiry_date=timezone.localdate() - dt.timedelta(days=1), has_certificate=False),
        answers={},
    )
    lot_a.refresh_from_db()
    assert lot_a.warnings == ["Expired", "No certificate of analysis"]
