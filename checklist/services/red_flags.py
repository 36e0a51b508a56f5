"""Writes about red flags: the clinician's resolutions before consent, and what signing checks.

A resolution is saved as soon as the clinician saves the flags step (nothing typed is lost), is
audited without its note (free text stays out of the log), and freezes with the screening.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.audit import audit_log
from checklist.models import Decision, FlagResolution, Screening, ScreeningLocked
from checklist.records import ScreeningRecord
from checklist.red_flags import ACCEPTED, OUTCOMES, RESOLVED, GoAheadCheck, go_ahead_check
from checklist.selectors import screening_assessment, screening_resolutions
from checklist.spec import clean_free_text

RESOLUTION_NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class ResolutionInput:
    outcome: str
    note: str = ""


def screening_go_ahead_check(screening: Screening) -> GoAheadCheck:
    """The red flags the answers raise now, with what was decided about each."""
    _spec, assessment = screening_assessment(screening)
    resolutions = {r.finding_code: r for r in screening_resolutions(screening)}
    return go_ahead_check(assessment.red_flags, resolutions)


@transaction.atomic
def screening_flags_resolve(*, screening: Screening, resolutions: Mapping[str, ResolutionInput], user) -> int:
    """Save the clinician's resolutions of red flags; returns how many changed.

    Everything is checked before anything is written: a flag the answers do not raise, an unknown
    outcome or a "resolved" without a note of the evidence leaves the database as it was.
    """
    screening = Screening.objects.select_for_update().select_related("jurisdiction", "version").get(pk=screening.pk)
    if screening.is_locked:
        raise ScreeningLocked(_("This screening is signed or voided and cannot change."))
    _spec, assessment = screening_assessment(screening)
    red_codes = {f.code for f in assessment.red_flags}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[str, str]] = {}
    for code, given in resolutions.items():
        if code not in red_codes:
            raise ValidationError(_("A resolution was sent for a red flag these answers do not raise."))
        if given.outcome not in OUTCOMES:
            errors[code] = [_("Choose one of the three resolutions.")]
            continue
        try:
            note = clean_free_text(given.note or "", max_length=RESOLUTION_NOTE_MAX_LENGTH)
        except ValidationError as exc:
            errors[code] = exc.messages
            continue
        if given.outcome == RESOLVED and not note:
            errors[code] = [_("Say what evidence you saw, for example the batch's sterility test report.")]
            continue
        cleaned[code] = (given.outcome, note)
    if errors:
        raise ValidationError(errors)

    existing = {r.finding_code: r for r in FlagResolution.objects.filter(screening=screening)}
    changed: dict[str, int] = {}
    for code, (outcome, note) in cleaned.items():
        row = existing.get(code)
        if row is None:
            FlagResolution.objects.create(
                screening=screening, finding_code=code, outcome=outcome, note=note, resolved_by=user
            )
        elif (row.outcome, row.note) != (outcome, note):
            row.outcome, row.note, row.resolved_by = outcome, note, user
            row.save()
        else:
            continue
        changed[outcome] = changed.get(outcome, 0) + 1
    if changed:
        # Counts only: a finding's code names the answer given, and answers stay out of the log.
        audit_log(
            clinic=screening.clinic, actor=user, screening=screening, action="screening.flags_resolved", **changed
        )
    return sum(changed.values())


def red_flags_check_for_signing(
    *,
    screening: Screening,
    record: ScreeningRecord,
    decision: str,
    accepted_risks: Collection[str],
    attested_by,
    cosigned_by,
) -> tuple[str, ...]:
    """Refuse a "go ahead" the red flags do not allow; returns the accepted risks the patient ticked.

    Going ahead needs every red flag resolved, none marked "will not go ahead", a tick from the
    patient for each risk they accept and, where the clinic asks for it, a second clinician.
    """
    check = go_ahead_check(record.assessment.red_flags, record.resolutions_by_code)
    if decision != Decision.PROCEED:
        return ()
    if not check.allowed:
        raise ValidationError(check.reason)
    accepted = tuple(f.code for f in check.accepted)
    if set(accepted_risks) != set(accepted):
        raise ValidationError(_("To go ahead, the patient ticks each red-flag risk they accept."))
    if accepted and screening.clinic.cosign_accepted_red_flags:
        if cosigned_by is None:
            raise ValidationError(_("This clinic asks a second clinician to co-sign a go-ahead with accepted risks."))
        membership = getattr(cosigned_by, "membership", None)
        if cosigned_by.pk == attested_by.pk or membership is None or membership.clinic_id != screening.clinic_id:
            raise ValidationError(_("The co-signer must be another clinician of this clinic."))
    return accepted


def red_flags_confirm(*, screening: Screening, accepted: Collection[str]) -> None:
    """Record the patient's tick of each accepted risk, in the signing's transaction."""
    if accepted:
        FlagResolution.objects.filter(screening=screening, finding_code__in=accepted, outcome=ACCEPTED).update(
            patient_confirmed_at=timezone.now()
        )
