"""Every kind of audit event the app writes, in plain words for the clinic admin.

One place for the kinds: the audit log's filter, its sentences and a screening's history all read
them here, and ``tests/audit/test_event_labels.py`` finds every kind the code writes and fails on
one without words here, or on words for a kind nothing writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklist.models.screenings import DECISION_IN_SHORT, Decision
from clinic.models import Clinic, Membership

# Kind of event -> its name, for the filter and the history.
EVENT_LABELS: dict[str, Promise] = {
    "screening.started": gettext_lazy("Screening started"),
    "screening.details_changed": gettext_lazy("Patient or treatment details changed"),
    "screening.flags_resolved": gettext_lazy("Red flags resolved"),
    "screening.teach_back_answered": gettext_lazy("Teach-back answer recorded"),
    "screening.signed": gettext_lazy("Consent signed"),
    "screening.cosigned": gettext_lazy("Go-ahead co-signed by a second clinician"),
    "screening.voided": gettext_lazy("Screening voided"),
    "screening.time_out_confirmed": gettext_lazy("Treatment-day time-out confirmed"),
    "screening.withdrawn": gettext_lazy("Consent withdrawn by the patient"),
    "screening.corrected_copy": gettext_lazy("Started as a corrected copy"),
    "screening.version_moved": gettext_lazy("Moved to the published checklist version"),
    "screening.reconsent_started": gettext_lazy("Started as a re-consent under the published checklist"),
    "screening.pdf_stored": gettext_lazy("Signed PDF stored"),
    "screening.pdf_viewed": gettext_lazy("Signed PDF opened"),
    "screening.pdf_downloaded": gettext_lazy("Signed PDF downloaded"),
    "screening.pdf_integrity_failed": gettext_lazy("Signed PDF refused: the stored file was changed"),
    "screening.pdf_exported": gettext_lazy("Signed PDF exported by support staff"),
    "screening.dossier_used": gettext_lazy("Screening started from a product and lot dossier"),
    "screening.dossier_confirmed": gettext_lazy("Dossier answers confirmed for this patient"),
    "screening.dossier_overridden": gettext_lazy("Dossier answer changed for this patient"),
    "screening.dossier_refreshed": gettext_lazy("Updated dossier answers taken into the draft"),
    "dossier.product_revised": gettext_lazy("Product dossier saved as a new revision"),
    "dossier.lot_revised": gettext_lazy("Lot dossier saved as a new revision"),
    "dossier.clinic_revised": gettext_lazy("Clinic profile saved as a new revision"),
    "dossier.document_uploaded": gettext_lazy("Dossier document uploaded"),
    "dossier.document_refused": gettext_lazy("Dossier document refused on upload"),
    "staff.added": gettext_lazy("Staff member added"),
    "staff.changed": gettext_lazy("Staff member's role or access changed"),
    "staff.second_factor_enrolled": gettext_lazy("Second factor set up"),
    "staff.second_factor_reset": gettext_lazy("Second factor reset"),
    "clinic.settings_changed": gettext_lazy("Clinic settings changed"),
}

# Who did it, for the events written with no person: the background worker, or a command on the server.
_NO_PERSON = {"screening.pdf_exported": gettext_lazy("Support staff (a command on the server)")}
_AUTOMATIC = gettext_lazy("ExoSafe (automatically)")


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def person_name(user) -> str:
    """A person's full name (their username if they gave none), or the app itself for no one."""
    if user is None:
        return str(_AUTOMATIC)
    return user.get_full_name() or user.get_username()


def event_who(action: str, actor) -> str:
    """Who did it: the person, or what acted without one (the background worker, a server command)."""
    if actor is None and action in _NO_PERSON:
        return str(_NO_PERSON[action])
    return person_name(actor)


def _role_label(role: Any) -> str:
    try:
        return str(Membership.Role(role).label).lower()
    except ValueError:
        return str(role)


def _setting_field(name: str) -> Field | None:
    field = next((f for f in Clinic._meta.concrete_fields if f.name == name), None)
    return field if isinstance(field, Field) else None


def _setting_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    field = _setting_field(name)
    return str(dict(field.flatchoices).get(value, value)) if field is not None and field.choices else str(value)


def _settings_changes(detail: Mapping[str, Any]) -> str:
    """Each changed setting as "its name: before → after", from the event's ``changes``."""
    parts = []
    for name, before, after in detail.get("changes", ()):
        field = _setting_field(name)
        label = str(field.verbose_name) if field is not None else str(name)
        parts.append(f"{label}: {_setting_value(name, before)} → {_setting_value(name, after)}")
    return "; ".join(parts)


def event_sentence(action: str, detail: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What happened, in a sentence without its subject (the person is shown beside it).

    ``names`` maps the usernames a staff event names to people's full names. Identifiers the
    record keeps for the hash chain (ids, counts, fingerprints in full) are left out.
    """
    member = names.get(str(detail.get("member", "")), str(detail.get("member", "")))
    if action == "screening.started":
        return _("Started the screening.")
    if action == "screening.details_changed":
        return _("Changed the patient or treatment details.")
    if action == "screening.signed":
        decision = detail.get("decision")
        if decision in Decision.values:
            return _("Signed the consent with the patient. The patient's decision: %(decision)s.") % {
                "decision": str(DECISION_IN_SHORT[Decision(decision)]).lower()
            }
        return _("Signed the consent with the patient.")
    if action == "screening.flags_resolved":
        return _("Recorded what was decided about the red flags.")
    if action == "screening.teach_back_answered":
        tries = detail.get("tries", 1)
        if not detail.get("right"):
            return _("Recorded a teach-back answer that was not right yet; the explanation was read together.")
        if tries == 1:
            return _("Recorded a right teach-back answer, at the first try.")
        return _("Recorded a right teach-back answer, after %(n)s tries.") % {"n": tries}
    if action == "screening.cosigned":
        return _("Co-signed the go-ahead, as the second clinician, with the patient's accepted risks.")
    if action == "screening.voided":
        return _("Voided the signed screening.")
    if action == "screening.time_out_confirmed":
        return _("Confirmed the time-out just before the treatment, as the treating clinician.")
    if action == "screening.withdrawn":
        how = {"in_person": _("in person"), "phone": _("by phone"), "written": _("in writing")}.get(
            str(detail.get("how", "")), ""
        )
        return (
            (_("Recorded that the patient withdrew their consent (told %(how)s).") % {"how": how})
            if how
            else _("Recorded that the patient withdrew their consent.")
        )
    if action == "screening.corrected_copy":
        return _("Started this screening as a corrected copy of %(source)s.") % {"source": detail.get("source", "")}
    if action == "screening.version_moved":
        return _(
            "Moved this draft from checklist v%(old)s to v%(new)s: %(carried)s answers carried over, "
            "%(again)s questions to ask again."
        ) % {
            "old": detail.get("from_version", ""),
            "new": detail.get("to_version", ""),
            "carried": detail.get("answers_carried", 0),
            "again": detail.get("to_ask_again", 0),
        }
    if action == "screening.reconsent_started":
        return _(
            "Started this screening to consent again under checklist v%(new)s, from %(source)s signed under "
            "v%(old)s: %(carried)s answers carried over, %(again)s questions to ask again."
        ) % {
            "source": detail.get("source", ""),
            "old": detail.get("from_version", ""),
            "new": detail.get("to_version", ""),
            "carried": detail.get("answers_carried", 0),
            "again": detail.get("to_ask_again", 0),
        }
    if action == "screening.pdf_stored":
        return _("Stored the signed PDF (fingerprint %(start)s…).") % {"start": str(detail.get("sha256", ""))[:12]}
    if action == "screening.pdf_viewed":
        return _("Opened the signed PDF.")
    if action == "screening.pdf_downloaded":
        return _("Downloaded the signed PDF.")
    if action == "screening.pdf_integrity_failed":
        return _(
            "Asked for the signed PDF, which was refused: the stored file no longer matches its recorded fingerprint."
        )
    if action == "screening.pdf_exported":
        return _("Exported the signed PDF to a file.")
    if action == "clinic.settings_changed":
        return _("Changed the clinic's settings: %(changes)s.") % {"changes": _settings_changes(detail)}
    if action == "staff.added":
        return _("Added %(member)s as %(role)s.") % {"member": member, "role": _role_label(detail.get("role"))}
    if action == "staff.changed":
        access = _("can sign in") if detail.get("active", True) else _("cannot sign in")
        return _("Changed %(member)s to %(role)s, who %(access)s.") % {
            "member": member,
            "role": _role_label(detail.get("role")),
            "access": access,
        }
    if action == "staff.second_factor_enrolled":
        return _("Set up their second factor (an authenticator app).")
    if action == "staff.second_factor_reset":
        return _("Reset the second factor of %(member)s, who sets up a new one at their next sign-in.") % {
            "member": member
        }
    if action == "screening.dossier_used":
        return _("Started from the dossier of %(name)s (%(n)s answers pre-filled).") % {
            "name": detail.get("name", ""),
            "n": detail.get("answers", 0),
        }
    if action == "screening.dossier_confirmed":
        return _("Confirmed the dossier answers of one step for this patient (%(n)s answers).") % {
            "n": detail.get("answers", 0)
        }
    if action == "screening.dossier_overridden":
        return _("Changed a dossier answer for this patient, with a note (question %(code)s).") % {
            "code": detail.get("question", "")
        }
    if action == "screening.dossier_refreshed":
        return _("Took the updated dossier's answers into the draft (%(n)s answers changed).") % {
            "n": detail.get("answers", 0)
        }
    if action in _DOSSIER_SENTENCES:
        return str(_DOSSIER_SENTENCES[action]) % {"name": detail.get("name", ""), "number": detail.get("revision", "")}
    return event_label(action)


_DOSSIER_SENTENCES = {
    "dossier.product_revised": gettext_lazy("Saved the product dossier of %(name)s (revision %(number)s)."),
    "dossier.lot_revised": gettext_lazy("Saved the dossier of lot %(name)s (revision %(number)s)."),
    "dossier.clinic_revised": gettext_lazy("Saved the clinic profile (revision %(number)s)."),
    "dossier.document_uploaded": gettext_lazy("Uploaded the dossier document %(name)s."),
    "dossier.document_refused": gettext_lazy("Tried to upload a file that was refused as a dossier document."),
}
