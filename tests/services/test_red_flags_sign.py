"""Signing refuses a "go ahead" the red flags do not allow, whoever calls the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from checklist.demo import demo_signature_png
from checklist.models import Decision, Screening
from checklist.records import RECORD_SCHEMA, ResolutionRecord, ScreeningRecord
from checklist.red_flags import go_ahead_check
from checklist.selectors import checklist_spec, screening_assessment, screening_signed_record
from checklist.services.red_flags import ResolutionInput, screening_flags_resolve
from checklist.services.screenings import screening_sign
from tests.conftest import make_member


def sign(screening, user, decision, **extra):
    spec = checklist_spec(screening.version)
    return screening_sign(
        screening=screening,
        acknowledged=[a.code for a in spec.acknowledgements],
        decision=decision,
        patient_signed_name=screening.patient_name,
        signature_png=demo_signature_png(),
        attested_by=user,
        **extra,
    )


def red_codes(screening):
    return [f.code for f in screening_assessment(screening)[1].red_flags]


def test_the_check_names_what_blocks_going_ahead(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    flags = screening_assessment(screening)[1].red_flags
    check = go_ahead_check(flags, {})
    assert not check.allowed and len(check.unresolved) == len(flags)
    resolutions = {f.code: ResolutionRecord(f.code, "resolved", "seen") for f in flags}
    assert go_ahead_check(flags, resolutions).allowed
    resolutions[flags[0].code] = ResolutionRecord(flags[0].code, "not_proceeding")
    check = go_ahead_check(flags, resolutions)
    assert not check.allowed and check.not_proceeding == (flags[0],)
    assert go_ahead_check((), {}).allowed


def test_the_service_refuses_go_ahead_with_an_unresolved_red_flag(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    with pytest.raises(ValidationError, match="still need a resolution"):
        sign(screening, alice, Decision.PROCEED)
    assert Screening.objects.get(pk=screening.pk).status == Screening.Status.AWAITING_SIGNATURE


def test_the_service_refuses_accepted_risks_without_the_patients_ticks(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    codes = red_codes(screening)
    screening_flags_resolve(
        screening=screening, resolutions={c: ResolutionInput("accepted") for c in codes}, user=alice
    )
    with pytest.raises(ValidationError, match="ticks each"):
        sign(screening, alice, Decision.PROCEED, accepted_risks=codes[:1])
    signed = sign(screening, alice, Decision.PROCEED, accepted_risks=codes)
    assert signed.status == Screening.Status.SIGNED
    record = screening_signed_record(signed)
    assert record.schema == RECORD_SCHEMA and all(r.patient_confirmed for r in record.resolutions)


def accepted_where_cosigning_is_asked(make_screening, clinic, user):
    """A risky screening of a clinic that asks for a co-signer, its red flags accepted: (screening, codes)."""
    clinic.cosign_accepted_red_flags = True
    clinic.save()
    screening = make_screening(clinic, user, answers="risky")
    codes = red_codes(screening)
    screening_flags_resolve(screening=screening, resolutions={c: ResolutionInput("accepted") for c in codes}, user=user)
    return screening, codes


def test_the_service_needs_a_cosigner_of_the_clinic_where_asked(make_screening, clinic_a, clinic_b, alice, bob):
    screening, codes = accepted_where_cosigning_is_asked(make_screening, clinic_a, alice)
    for cosigner in (None, alice, bob):
        with pytest.raises(ValidationError):
            sign(screening, alice, Decision.PROCEED, accepted_risks=codes, cosigned_by=cosigner)
    dave = make_member(clinic_a, "dave")
    signed = sign(screening, alice, Decision.PROCEED, accepted_risks=codes, cosigned_by=dave)
    assert signed.cosigned_by == dave and signed.cosigned_at == signed.signed_at


def test_signing_stores_every_field_it_sets(make_screening, clinic_a, alice):
    """Signing writes ``Screening.SIGNING_FIELDS`` only: a field it set outside them would be lost."""
    screening, codes = accepted_where_cosigning_is_asked(make_screening, clinic_a, alice)
    signed = sign(screening, alice, Decision.PROCEED, accepted_risks=codes, cosigned_by=make_member(clinic_a, "dave"))

    def values(row):
        return {
            f.attname: bytes(v) if isinstance(v := getattr(row, f.attname), memoryview) else v
            for f in Screening._meta.concrete_fields
        }

    assert signed.cosigned_at and signed.verification_code and signed.signature_png
    assert values(Screening.objects.get(pk=signed.pk)) == values(signed)


def test_resolved_flags_need_no_cosigner(make_screening, clinic_a, alice):
    clinic_a.cosign_accepted_red_flags = True
    clinic_a.save()
    screening = make_screening(clinic_a, alice, answers="risky")
    screening_flags_resolve(
        screening=screening,
        resolutions={c: ResolutionInput("resolved", "Saw the report") for c in red_codes(screening)},
        user=alice,
    )
    signed = sign(screening, alice, Decision.PROCEED)
    assert signed.status == Screening.Status.SIGNED and signed.cosigned_by is None


def test_a_schema_2_record_reads_with_no_resolutions(risky_signed):
    data = dict(risky_signed.findings_snapshot)
    data["schema"] = 2
    data.pop("resolutions")
    record = ScreeningRecord.from_json(data)
    assert record.resolutions == () and record.schema == 2
