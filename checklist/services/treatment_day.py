"""Writes after a signed "go ahead": the treatment day's time-out, and the patient's withdrawal.

Both refuse with a clear message and change nothing when they do not apply. A signed screening
never changes: each writes one new row (``checklist.models.treatment_day``) and an audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from checklist.audit import audit_log
from checklist.models import TIME_OUT_ITEMS, ConsentWithdrawal, Decision, Screening, TreatmentTimeOut
from checklist.records import ReflectionRecord, ScreeningRecord
from checklist.selectors import screening_signed_record
from checklist.spec import clean_free_text

NOTE_MAX_LENGTH = 1000


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F Y, H:i T")


def screening_reflection(screening: Screening, record: ScreeningRecord | None = None) -> ReflectionRecord | None:
    """The time to reflect kept in the signed record (None for records signed before it was kept)."""
    record = record if record is not None else screening_signed_record(screening)
    return record.reflection if record is not None else None


@dataclass(frozen=True)
class ScreenedLot:
    lot: str = ""
    expiry: dt.date | None = None


def _plain(text: str) -> str:
    """A lot number as compared: case, spaces and dashes do not count ("tv7 2611-044")."""
    return re.sub(r"[\W_]", "", text).casefold()


def screened_lot(screening: Screening, record: ScreeningRecord | None = None) -> ScreenedLot:
    """The lot number and expiry date recorded at signing, where the checklist asked them."""
    record = record if record is not None else screening_signed_record(screening)
    if record is None:
        return ScreenedLot()
    lot = record.answers.get("lot_number")
    expiry = record.answers.get("lot_expiry_date")
    try:
        expiry_date = dt.date.fromisoformat(str(expiry.value)) if expiry and expiry.value else None
    except ValueError:
        expiry_date = None
    return ScreenedLot(lot=str(lot.value) if lot and lot.value else "", expiry=expiry_date)


def time_out_refusal(
    screening: Screening, *, now: dt.datetime | None = None, record: ScreeningRecord | None = None
) -> str:
    """Why a time-out cannot be recorded now, in words; empty when it can. ``record``: the signed
    record when the caller has read it already (it is parsed from the frozen snapshot)."""
    now = now or timezone.now()
    if screening.status == Screening.Status.VOIDED:
        return _("This screening is void: no treatment may follow it.")
    if screening.status != Screening.Status.SIGNED or screening.decision != Decision.PROCEED:
        return _("A time-out follows only a signed decision to go ahead.")
    if ConsentWithdrawal.objects.filter(screening=screening).exists():
        return _("The patient withdrew their consent: no treatment may follow this screening.")
    if TreatmentTimeOut.objects.filter(screening=screening).exists():
        return _("The time-out for this treatment is already recorded.")
    reflection = screening_reflection(screening, record)
    if reflection is not None and now < reflection.earliest:
        return _(
            "The patient's time to reflect (%(hours)d hours after signing) has not ended. "
            "The time-out can be done from %(when)s."
        ) % {"hours": reflection.hours, "when": _when(reflection.earliest)}
    return ""


@transaction.atomic
def treatment_time_out_confirm(
    *, screening: Screening, user, confirmed: Collection[str], lot_number: str
) -> TreatmentTimeOut:
    """Record the treating clinician's time-out: every item confirmed, the vial's lot number typed."""
    screening = Screening.objects.select_for_update().select_related("clinic").get(pk=screening.pk)
    record = screening_signed_record(screening)
    refusal = time_out_refusal(screening, record=record)
    if refusal:
        raise ValidationError(refusal)
    if set(confirmed) != set(TIME_OUT_ITEMS):
        raise ValidationError(_("Confirm every item of the time-out aloud, then tick it."))
    lot_number = clean_free_text(lot_number or "", max_length=100)
    if not lot_number:
        raise ValidationError({"lot_number": _("Type the lot number printed on the vial.")})
    screened = screened_lot(screening, record)
    if screened.lot and _plain(screened.lot) != _plain(lot_number):
        raise ValidationError(
            {
                "lot_number": _(
                    "The vial's lot, %(typed)s, is not the lot screened, %(screened)s. Do not treat with it: "
                    "this lot needs its own screening."
                )
                % {"typed": lot_number, "screened": screened.lot}
            }
        )
    if screened.expiry and screened.expiry < timezone.localdate():
        raise ValidationError(
            _("The lot screened expired on %(date)s: do not treat with it.") % {"date": screened.expiry}
        )
    time_out = TreatmentTimeOut(
        screening=screening,
        treating_clinician=user,
        lot_number=lot_number,
        confirmed_items=list(TIME_OUT_ITEMS),
        confirmed_at=timezone.now(),
    )
    time_out.save(force_insert=True)
    audit_log(clinic=screening.clinic, actor=user, screening=screening, action="screening.time_out_confirmed")
    return time_out


def withdrawal_refusal(screening: Screening) -> str:
    if screening.status == Screening.Status.VOIDED:
        return _("This screening is void: there is no consent to withdraw.")
    if screening.status != Screening.Status.SIGNED or screening.decision != Decision.PROCEED:
        return _("Only a signed decision to go ahead can be withdrawn.")
    if ConsentWithdrawal.objects.filter(screening=screening).exists():
        return _("The withdrawal is already recorded.")
    if TreatmentTimeOut.objects.filter(screening=screening).exists():
        return _("The treatment's time-out was recorded, so the treatment went ahead. Note a later change elsewhere.")
    return ""


@transaction.atomic
def consent_withdraw(
    *, screening: Screening, user, withdrawn_at: dt.datetime, how: str, note: str = ""
) -> ConsentWithdrawal:
    """Record that the patient withdrew their consent: when, how they told the clinic, and a note."""
    screening = Screening.objects.select_for_update().select_related("clinic").get(pk=screening.pk)
    refusal = withdrawal_refusal(screening)
    if refusal:
        raise ValidationError(refusal)
    if how not in ConsentWithdrawal.How.values:
        raise ValidationError({"how": _("Say how the patient told the clinic: in person, by phone or in writing.")})
    now = timezone.now()
    if timezone.is_naive(withdrawn_at):
        withdrawn_at = timezone.make_aware(withdrawn_at)
    if withdrawn_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"withdrawn_at": _("The time of the withdrawal cannot be in the future.")})
    if screening.signed_at and withdrawn_at < screening.signed_at.replace(second=0, microsecond=0):
        raise ValidationError({"withdrawn_at": _("The withdrawal cannot be before the consent was signed.")})
    # A time typed to the minute, in the minute of signing, is not before the signing.
    withdrawn_at = max(withdrawn_at, screening.signed_at) if screening.signed_at else withdrawn_at
    withdrawal = ConsentWithdrawal(
        screening=screening,
        withdrawn_at=withdrawn_at,
        how=how,
        note=clean_free_text(note or "", max_length=NOTE_MAX_LENGTH),
        recorded_by=user,
        recorded_at=now,
    )
    withdrawal.save(force_insert=True)
    audit_log(clinic=screening.clinic, actor=user, screening=screening, action="screening.withdrawn", how=how)
    return withdrawal
