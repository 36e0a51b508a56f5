"""A screening's history for clinic admins: every recorded action and every saved change, newest
first, in plain words with people's full names. Bookkeeping fields (the lock counter, the flag
counts, which steps were saved, the stored PDF's fields) are left out: they change with every save
and say nothing a person did."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklist.audit_text import event_sentence, event_who, person_name
from checklist.models import Answer, AuditEvent, Screening
from checklist.selectors import staff_names
from checklist.services.screenings import START_FIELDS

# The screening's own fields a person changes, as the history names them; every other field is
# bookkeeping, or is told by an audit event (signing, voiding).
SHOWN_FIELDS = (*START_FIELDS, "status")

_ANSWER_VERBS = {
    "+": gettext_lazy("Answered “%(question)s”."),
    "~": gettext_lazy("Changed the answer to “%(question)s”."),
    "-": gettext_lazy("Removed the answer to “%(question)s”."),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str


def _field_label(name: str) -> str:
    field = Screening._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _record_change(previous, record) -> str:
    """A change of the screening's row in words, or "" when only bookkeeping changed."""
    changes = {c.field: c for c in record.diff_against(previous, included_fields=list(SHOWN_FIELDS)).changes}
    parts = []
    status = changes.pop("status", None)
    # Signing and voiding are told by their own events, in more words.
    if status is not None and status.new not in Screening.LOCKED_STATUSES:
        parts.append(
            _("Status changed from %(old)s to %(new)s.")
            % {
                "old": Screening.Status(status.old).label if status.old in Screening.Status.values else status.old,
                "new": Screening.Status(status.new).label if status.new in Screening.Status.values else status.new,
            }
        )
    if changes:
        names = ", ".join(_field_label(name) for name in SHOWN_FIELDS if name in changes)
        parts.append(_("Changed: %(fields)s.") % {"fields": names})
    return " ".join(parts)


def screening_history(screening: Screening, limit: int = 200) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    events = list(AuditEvent.objects.filter(screening=screening).select_related("actor")[:limit])
    names = staff_names(screening.clinic_id, events)
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        entries.append(
            HistoryEntry(event.at, event_who(event.action, event.actor), event_sentence(event.action, detail, names))
        )
    # Oldest first, so each record is compared with the one before it without a query per record.
    # Its creation is told by the "started" event; a change of bookkeeping alone is left out.
    records = list(Screening.history.filter(id=screening.pk).select_related("history_user").order_by("history_date"))
    for previous, record in itertools.pairwise(records):
        what = _record_change(previous, record) if record.history_type == "~" else ""
        if what:
            entries.append(HistoryEntry(record.history_date, person_name(record.history_user), what))
    answer_history = (
        Answer.history.filter(screening_id=screening.pk)
        .select_related("history_user", "question")
        .order_by("-history_date")[:limit]
    )
    for record in answer_history:
        verb = _ANSWER_VERBS.get(record.history_type, _ANSWER_VERBS["~"])
        question = Truncator(record.question.prompt).chars(90)
        entries.append(
            HistoryEntry(record.history_date, person_name(record.history_user), str(verb) % {"question": question})
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
