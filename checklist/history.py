"""A screening's history for clinic admins: every saved change and every recorded action, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklist.models import Answer, AuditEvent, Screening

ACTION_LABELS = {
    "screening.started": gettext_lazy("Screening started"),
    "screening.details_changed": gettext_lazy("Patient or treatment details changed"),
    "screening.signed": gettext_lazy("Consent signed"),
    "screening.flags_resolved": gettext_lazy("Red flags resolved"),
    "screening.cosigned": gettext_lazy("Go-ahead co-signed by a second clinician"),
    "screening.voided": gettext_lazy("Screening voided"),
    "screening.corrected_copy": gettext_lazy("Started as a corrected copy"),
    "screening.pdf_downloaded": gettext_lazy("Signed PDF downloaded"),
    "screening.pdf_viewed": gettext_lazy("Signed PDF viewed"),
}

_HISTORY_TYPES = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str


def _who(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.get_username()


def screening_history(screening: Screening, limit: int = 200) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for event in AuditEvent.objects.filter(screening=screening).select_related("actor")[:limit]:
        entries.append(HistoryEntry(event.at, _who(event.actor), str(ACTION_LABELS.get(event.action, event.action))))
    # Oldest first, so each record is compared with the one before it without a query per record.
    records = list(Screening.history.filter(id=screening.pk).select_related("history_user").order_by("history_date"))
    for previous, record in zip([None, *records], records, strict=False):
        changed = []
        if previous is not None and record.history_type == "~":
            changed = [c.field for c in record.diff_against(previous).changes]
        what = _("Record %(type)s") % {"type": _HISTORY_TYPES.get(record.history_type, record.history_type)}
        if changed:
            what += ": " + ", ".join(sorted(changed))
        entries.append(HistoryEntry(record.history_date, _who(record.history_user), what))
    answer_history = (
        Answer.history.filter(screening_id=screening.pk)
        .select_related("history_user", "question")
        .order_by("-history_date")[:limit]
    )
    for record in answer_history:
        verb = _HISTORY_TYPES.get(record.history_type, record.history_type)
        entries.append(
            HistoryEntry(
                record.history_date,
                _who(record.history_user),
                _("Answer %(verb)s: %(question)s") % {"verb": verb, "question": record.question.code},
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
