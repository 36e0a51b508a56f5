"""Issue 14, item 4: time to reflect, the treatment day's time-out, and withdrawal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from checklist.demo import CLEAN_ANSWERS, answer_all_sections, demo_clock, sign_screening
from checklist.models import (
    TIME_OUT_ITEMS,
    AuditEvent,
    ConsentWithdrawal,
    Decision,
    Screening,
    ScreeningLocked,
    TreatmentTimeOut,
)
from checklist.pdf import render_screening_pdf
from checklist.records import RECORD_SCHEMA, ScreeningRecord
from checklist.selectors import screening_signed_record
from checklist.services.screenings import screening_start, screening_void
from checklist.services.treatment_day import consent_withdraw, time_out_refusal, treatment_time_out_confirm
from tests.conftest import start_data

LOT = {"lot_number": "TV7-2611-044", "lot_expiry_date": "2027-06-30"}


def _go_ahead(clinic, clinician, *, hours_ago: float = 0, **overrides) -> Screening:
    with demo_clock(hours_ago=hours_ago):
        screening = screening_start(clinic=clinic, clinician=clinician, data=start_data(**overrides))
        answer_all_sections(screening, CLEAN_ANSWERS, clinician, overrides=LOT)
        screening = sign_screening(screening, clinician, decision=Decision.PROCEED)
    screening.refresh_from_db()
    return screening


def _time_out_post(lot: str = LOT["lot_number"]) -> dict:
    return {**dict.fromkeys(TIME_OUT_ITEMS, "on"), "lot_number": lot}


# The setting and the record ----------------------------------------------------------------------


def test_the_record_keeps_the_period_that_applied_at_signing(clinic_a, alice, version):
    clinic_a.reflection_period_cosmetic = "7d"
    clinic_a.save()
    screening = _go_ahead(clinic_a, alice)
    record = screening_signed_record(screening)
    assert record.schema == RECORD_SCHEMA == 4
    assert record.reflection.period == "7d" and record.reflection.hours == 168
    assert record.reflection.earliest == screening.signed_at + dt.timedelta(days=7)
    clinic_a.reflection_period_cosmetic = "none"
    clinic_a.save()
    assert screening_signed_record(Screening.objects.get(pk=screening.pk)).reflection.hours == 168


def test_joint_and_wound_uses_follow_the_medical_setting(clinic_a, alice, version):
    clinic_a.reflection_period_medical = "none"
    clinic_a.save()
    joint = _go_ahead(clinic_a, alice, intended_use="joint", route="injection_joint")
    skin = _go_ahead(clinic_a, alice)
    assert screening_signed_record(joint).reflection.hours == 0
    assert screening_signed_record(skin).reflection.hours == 24


def test_a_schema_3_record_still_reads_with_no_period(clinic_a, alice, version):
    data = screening_signed_record(_go_ahead(clinic_a, alice)).to_json()
    data["schema"] = 3
    del data["reflection"]
    assert ScreeningRecord.from_json(data).reflection is None


def test_the_pdf_states_the_earliest_treatment_time(clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice)
    pdf = render_screening_pdf(screening, record=screening_signed_record(screening), draft=False)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    earliest = timezone.localtime(screening.signed_at + dt.timedelta(hours=24))
    assert "the treatment will not be given before" in text
    assert earliest.strftime("%-d %B %Y, %H:%M") in text


# The time-out ------------------------------------------------------------------------------------


def test_a_time_out_is_refused_during_the_reflection_period_and_accepted_after(clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice, hours_ago=23)
    with pytest.raises(ValidationError, match="time to reflect"):
        treatment_time_out_confirm(screening=screening, user=alice, confirmed=TIME_OUT_ITEMS, lot_number="TV7-2611-044")
    assert not TreatmentTimeOut.objects.exists()
    with demo_clock(hours_ago=-2):
        time_out = treatment_time_out_confirm(
            screening=screening, user=alice, confirmed=TIME_OUT_ITEMS, lot_number="tv7 2611-044"
        )
    assert time_out.treating_clinician == alice
    assert AuditEvent.objects.filter(screening=screening, action="screening.time_out_confirmed").count() == 1


def test_the_time_out_view_says_when_it_can_be_done_and_a_forged_post_changes_nothing(
    alice_client, clinic_a, alice, version
):
    screening = _go_ahead(clinic_a, alice)
    url = reverse("checklist:screening-time-out", args=[screening.pk])
    page = alice_client.get(url).content.decode()
    earliest = timezone.localtime(screening.signed_at + dt.timedelta(hours=24))
    assert "has not ended" in page and earliest.strftime("%-d %B %Y, %H:%M") in page
    alice_client.post(url, _time_out_post())
    assert not TreatmentTimeOut.objects.exists()


def test_the_time_out_view_records_it_after_the_period(alice_client, clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice, hours_ago=25)
    url = reverse("checklist:screening-time-out", args=[screening.pk])
    missing = _time_out_post()
    del missing["emergency_plan"]
    assert alice_client.post(url, missing).status_code == 400
    assert alice_client.post(url, _time_out_post("OTHER-LOT")).status_code == 400
    assert not TreatmentTimeOut.objects.exists()
    response = alice_client.post(url, _time_out_post())
    assert response.status_code == 302
    assert TreatmentTimeOut.objects.get(screening=screening).lot_number == "TV7-2611-044"
    detail = alice_client.get(reverse("checklist:screening-detail", args=[screening.pk])).content.decode()
    assert "Treated" in detail and "time-out confirmed" in detail


def test_a_voided_or_withdrawn_screening_refuses_a_time_out(clinic_a, alice, carol, version):
    voided = _go_ahead(clinic_a, alice, hours_ago=30)
    screening_void(screening=voided, user=carol, reason="Wrong patient")
    assert "void" in time_out_refusal(Screening.objects.get(pk=voided.pk))
    withdrawn = _go_ahead(clinic_a, alice, hours_ago=30)
    consent_withdraw(screening=withdrawn, user=alice, withdrawn_at=timezone.now(), how="phone")
    with pytest.raises(ValidationError, match="withdrew"):
        treatment_time_out_confirm(screening=withdrawn, user=alice, confirmed=TIME_OUT_ITEMS, lot_number="TV7-2611-044")


def test_the_time_out_pages_answer_404_to_another_clinic(bob_client, clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice, hours_ago=30)
    for name in ("checklist:screening-time-out", "checklist:screening-withdraw"):
        assert bob_client.post(reverse(name, args=[screening.pk]), _time_out_post()).status_code == 404
    assert not TreatmentTimeOut.objects.exists() and not ConsentWithdrawal.objects.exists()


# Withdrawal --------------------------------------------------------------------------------------


@pytest.mark.renders_pdf
def test_a_withdrawal_is_recorded_and_shown_on_the_page_pdf_and_verification(alice_client, clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice)
    url = reverse("checklist:screening-withdraw", args=[screening.pk])
    assert alice_client.post(url, {"withdrawn_at": "", "how": "phone"}).status_code == 400
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = alice_client.post(url, {"withdrawn_at": when, "how": "phone", "note": "Changed their mind."})
    assert response.status_code == 302
    withdrawal = ConsentWithdrawal.objects.get(screening=screening)
    assert withdrawal.how == "phone" and withdrawal.recorded_by == alice
    detail = alice_client.get(reverse("checklist:screening-detail", args=[screening.pk])).content.decode()
    assert "Withdrawn: the patient withdrew their consent" in detail

    stored = Screening.objects.get(pk=screening.pk)
    original = stored.pdf.open("rb").read()
    pdf = alice_client.get(reverse("checklist:screening-pdf", args=[screening.pk]))
    assert "WITHDRAWN" in pdf["Content-Disposition"]
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "WITHDRAWN" in text and "By phone" in text
    assert Screening.objects.get(pk=screening.pk).pdf.open("rb").read() == original

    verify = alice_client.get(reverse("checklist:verify-code", args=[stored.verification_code])).content.decode()
    assert "Withdrawn" in verify and timezone.localtime().strftime("%-d %B %Y") in verify


def test_a_withdrawal_is_refused_twice_in_the_future_and_after_the_time_out(clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice, hours_ago=30)
    with pytest.raises(ValidationError, match="future"):
        consent_withdraw(
            screening=screening, user=alice, withdrawn_at=timezone.now() + dt.timedelta(days=1), how="phone"
        )
    treatment_time_out_confirm(screening=screening, user=alice, confirmed=TIME_OUT_ITEMS, lot_number="TV7-2611-044")
    with pytest.raises(ValidationError, match="time-out"):
        consent_withdraw(screening=screening, user=alice, withdrawn_at=timezone.now(), how="phone")
    assert not ConsentWithdrawal.objects.exists()


# Immutability ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [TreatmentTimeOut, ConsentWithdrawal])
def test_time_outs_and_withdrawals_are_append_only_in_the_database(model, clinic_a, alice, version):
    screening = _go_ahead(clinic_a, alice, hours_ago=30)
    if model is TreatmentTimeOut:
        row = treatment_time_out_confirm(
            screening=screening, user=alice, confirmed=TIME_OUT_ITEMS, lot_number="TV7-2611-044"
        )
        column = "lot_number"
    else:
        row = consent_withdraw(screening=screening, user=alice, withdrawn_at=timezone.now(), how="phone")
        column = "note"
    with pytest.raises(ScreeningLocked):
        row.save()
    with pytest.raises(ScreeningLocked):
        model.objects.filter(pk=row.pk).update(**{column: "changed"})
    with pytest.raises(ScreeningLocked):
        model.objects.filter(pk=row.pk).delete()
    table = model._meta.db_table
    for sql in (f"UPDATE {table} SET {column} = 'changed'", f"DELETE FROM {table}"):  # noqa: S608 - test constants
        with pytest.raises((IntegrityError, OperationalError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert model.objects.filter(pk=row.pk).exists()
