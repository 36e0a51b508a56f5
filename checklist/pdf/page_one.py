"""What the PDF's first page holds (issue 14): the key information, the decision, the red flags with
what was decided about each, and whom to call. A patient who reads only page 1 has what matters.

Built from the record alone, like the rest of the document; citations are numbered through the
document's one :class:`~checklist.pdf.context._Citations`, page 1 first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.key_information import KeyInformation
from checklist.records import ResolutionRecord, ScreeningRecord
from checklist.red_flags import ACCEPTED, NOT_PROCEEDING, RESOLVED
from checklist.spec import ReferenceSpec

Cite = Callable[[Iterable[ReferenceSpec]], list[int]]


def key_information_context(info: KeyInformation, cite: Cite) -> list[dict[str, Any]]:
    return [
        {
            "code": point.code,
            "label": point.label,
            "text": point.text,
            "refs": cite(point.references),
            "lines": [{"text": line.text, "refs": cite(line.references)} for line in point.lines],
        }
        for point in info.points
    ]


def _when(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def resolution_text(resolution: ResolutionRecord | None) -> str:
    """What was decided about a red flag, in words for the patient."""
    if resolution is None:
        return _("No resolution was recorded before signing.")
    if resolution.outcome == RESOLVED:
        return _("Resolved: the clinician saw the evidence. %(note)s") % {"note": resolution.note}
    if resolution.outcome == ACCEPTED:
        if resolution.patient_confirmed:
            return _("Discussed: you accept this risk, and you ticked it when you signed.")
        return _("Discussed: you accept this risk.")
    if resolution.outcome == NOT_PROCEEDING:
        return _("The treatment will not go ahead because of this.")
    return ""


def red_flag_rows(record: ScreeningRecord, cite: Cite) -> list[dict[str, Any]]:
    rows = []
    for finding in record.assessment.red_flags:
        resolution = record.resolutions_by_code.get(finding.code)
        rows.append(
            {
                "text": finding.patient_text,
                "refs": cite(finding.references),
                "outcome": resolution.outcome if resolution else "",
                "resolution": resolution_text(resolution),
                "by": resolution.resolved_by if resolution else "",
                "at": _when(resolution.resolved_at) if resolution else None,
            }
        )
    return rows


def who_to_call(record: ScreeningRecord, clinic) -> dict[str, Any]:
    """The one box that says whom to call: the clinic's own contact for problems, the emergency
    number, and the regulator's reporting channel where the patient lives."""
    place = record.jurisdiction
    return {
        "clinic_contact": clinic.adverse_event_contact,
        "clinic_phone": clinic.phone,
        "report_name": place.report_name or place.regulator,
        "report_url": place.report_url if place.report_url.startswith(("https://", "http://")) else "",
        "report_phone": place.report_phone,
        "report_instructions": place.report_instructions,
    }


def accepted_risks(record: ScreeningRecord) -> list[dict[str, Any]]:
    """The red-flag risks the patient accepted, each with whether they ticked it at signing."""
    return [
        {"text": finding.patient_text, "ticked": resolution.patient_confirmed}
        for finding in record.assessment.red_flags
        if (resolution := record.resolutions_by_code.get(finding.code)) is not None and resolution.outcome == ACCEPTED
    ]
