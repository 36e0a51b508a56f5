"""Who signs: the patient under the name on the record, or a legally authorised representative;
and an interpreter or a witness where one took part. All of it frozen with the signed record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from checklist.demo import sign_screening
from checklist.models import Screening, ScreeningLocked
from checklist.records import INTERPRETER, WITNESS, CompanionRecord, names_match
from checklist.selectors import screening_signed_record


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("chris walker", "Chris Walker"),
        ("  CHRIS   WALKER ", "Chris Walker"),
        ("Jose Garcia", "José García"),
        ("ChrisWalker", "Chris Walker"),
        ("Zoë O'Brien", "zoe o'brien"),
    ],
)
def test_names_match_ignoring_case_accents_and_spacing(typed, recorded):
    assert names_match(typed, recorded)


@pytest.mark.parametrize(("typed", "recorded"), [("Someone Else", "Chris Walker"), ("Chris", "Chris Walker"), ("", "")])
def test_other_names_do_not_match(typed, recorded):
    assert not names_match(typed, recorded)


@pytest.fixture
def ready(make_screening, clinic_a, alice):
    return make_screening(clinic_a, alice, answers="clean")


def test_the_patient_cannot_sign_under_another_name(ready, alice):
    with pytest.raises(ValidationError) as refused:
        sign_screening(ready, alice, patient_signed_name="Someone Else")
    assert "is not the name on the record" in str(refused.value.message_dict["patient_signed_name"])
    assert Screening.objects.get(pk=ready.pk).status == Screening.Status.AWAITING_SIGNATURE


def test_the_patient_signs_under_their_name_typed_their_way(ready, alice):
    typed = f"  {ready.patient_name.upper()} "
    screening = sign_screening(ready, alice, patient_signed_name=typed)
    signing = screening_signed_record(screening).signing
    assert signing.signer == "patient" and signing.signed_name == typed.strip() and not signing.by_representative


def test_a_representative_signs_with_their_relationship_and_an_interpreter_and_witness(ready, alice):
    screening = sign_screening(
        ready,
        alice,
        signer="representative",
        patient_signed_name="Jane Example",
        representative_relationship="Mother",
        companions=[
            CompanionRecord(role=INTERPRETER, name="Luísa Mendes", language="Portuguese"),
            CompanionRecord(role=WITNESS, name="Sam Witness", language="ignored for a witness"),
        ],
    )
    assert screening.patient_signed_name == "Jane Example"
    signing = screening_signed_record(Screening.objects.get(pk=screening.pk)).signing
    assert signing.by_representative and signing.relationship == "Mother"
    assert signing.companion(INTERPRETER) == CompanionRecord(INTERPRETER, "Luísa Mendes", "Portuguese")
    assert signing.companion(WITNESS) == CompanionRecord(WITNESS, "Sam Witness", "")


@pytest.mark.parametrize(
    ("signing", "field"),
    [
        ({"signer": "representative", "patient_signed_name": "Jane Example"}, "representative_relationship"),
        ({"companions": [CompanionRecord(role=INTERPRETER, name="Luísa Mendes")]}, "interpreter_language"),
    ],
)
def test_what_a_representative_or_interpreter_needs_is_required(ready, alice, signing, field):
    with pytest.raises(ValidationError) as refused:
        sign_screening(ready, alice, **signing)
    assert field in refused.value.message_dict
    assert Screening.objects.get(pk=ready.pk).status == Screening.Status.AWAITING_SIGNATURE


@pytest.mark.parametrize(
    "companions",
    [
        [CompanionRecord(role="notary", name="N. Body")],
        [CompanionRecord(role=WITNESS, name="  ")],
        [CompanionRecord(role=WITNESS, name="A"), CompanionRecord(role=WITNESS, name="B")],
    ],
)
def test_unknown_roles_blank_names_and_repeats_are_refused(ready, alice, companions):
    with pytest.raises(ValidationError):
        sign_screening(ready, alice, companions=companions)


def test_an_unknown_signer_is_refused(ready, alice):
    with pytest.raises(ValidationError):
        sign_screening(ready, alice, signer="friend")


def test_who_signed_is_frozen_with_the_record(ready, alice):
    screening = sign_screening(
        ready, alice, signer="representative", patient_signed_name="Jane Example", representative_relationship="Mother"
    )
    screening.findings_snapshot["signing"]["relationship"] = "Neighbour"
    with pytest.raises(ScreeningLocked):
        screening.save()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Screening.objects.filter(pk=screening.pk).update(patient_signed_name="Someone Else")
    assert screening_signed_record(Screening.objects.get(pk=screening.pk)).signing.relationship == "Mother"
