"""A screening's record: what its pages and PDF show, built from the read model and the answers.

At signing the record is frozen into ``Screening.findings_snapshot`` as :meth:`ScreeningRecord.to_json`:
the checklist as it was asked (the questions shown, with their choices, statements and sources),
the answers, the jurisdiction, the ticks and the assessment. The signed PDF renders from that
record alone, so it reads the same after every content row has changed. A draft's record is
built the same way from the current rows, for the preview.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from checklist.risk import Assessment, evaluate, visible_question_codes
from checklist.spec import ChecklistSpec, DataError, JurisdictionSpec, QuestionSpec, from_data, to_data

# Version of the record's JSON form. 1 was the dictionary written before the read model (no
# "schema" key); checklist.selectors.screening_signed_record upgrades it on reading. 3 added the
# red flags' resolutions; a schema-2 record reads as one with none. 4 added the teach-back answers
# and the time to reflect that applied at signing; an older record reads as one without teach-back
# (its version had none) and with no time to reflect kept (nothing is printed). A record of schema 4
# may also keep the dossiers its answers came from (``dossier``); one without reads as typed in full.
RECORD_SCHEMA = 4
READABLE_SCHEMAS = frozenset({2, 3, 4})


@dataclass(frozen=True)
class AnswerRecord:
    value: Any = None
    note: str = ""


# Who signs the consent: the patient, or a legally authorised representative for them.
SIGNER_PATIENT = "patient"
SIGNER_REPRESENTATIVE = "representative"
SIGNERS = (SIGNER_PATIENT, SIGNER_REPRESENTATIVE)
# Who else took part in the signing, each with their own line on the PDF.
INTERPRETER = "interpreter"
WITNESS = "witness"
COMPANION_ROLES = (INTERPRETER, WITNESS)


def normalised_name(text: str) -> str:
    """A name as compared with the record: case, accents and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace())


def names_match(typed: str, recorded: str) -> bool:
    """Whether a typed name is the recorded one ("jose  garcia" is "José García")."""
    return bool(normalised_name(typed)) and normalised_name(typed) == normalised_name(recorded)


@dataclass(frozen=True)
class CompanionRecord:
    """An interpreter or a witness who took part in the signing."""

    role: str
    name: str
    language: str = ""


@dataclass(frozen=True)
class SigningRecord:
    """Who signed, in what capacity, and who else took part: frozen with the record at signing."""

    signed_name: str
    signer: str = SIGNER_PATIENT
    relationship: str = ""  # a representative's relationship to the patient, or authority to decide
    companions: tuple[CompanionRecord, ...] = ()

    @property
    def by_representative(self) -> bool:
        return self.signer == SIGNER_REPRESENTATIVE

    def companion(self, role: str) -> CompanionRecord | None:
        return next((c for c in self.companions if c.role == role), None)


@dataclass(frozen=True)
class ResolutionRecord:
    """What the clinician decided about one red flag, and whether the patient ticked its risk."""

    finding_code: str
    outcome: str  # a FlagResolution.Outcome value
    note: str = ""
    resolved_by: str = ""  # the clinician's name as printed
    resolved_at: str = ""  # ISO date and time
    patient_confirmed: bool = False


@dataclass(frozen=True)
class TeachBackRecord:
    """One teach-back question as it was asked (the screening's facts filled in) and answered."""

    code: str
    prompt: str
    right_answer: str
    first_answer: str
    final_answer: str
    tries: int
    first_right: bool
    final_right: bool


@dataclass(frozen=True)
class ReflectionRecord:
    """The time to reflect that applied at signing (a ``clinic.models.ReflectionPeriod`` value)."""

    period: str
    hours: int
    earliest_treatment_at: str  # ISO date and time, aware

    @property
    def earliest(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.earliest_treatment_at)


def reflection_record(*, period: str, hours: int, signed_at: dt.datetime) -> ReflectionRecord:
    earliest = signed_at + dt.timedelta(hours=hours)
    return ReflectionRecord(period=period, hours=hours, earliest_treatment_at=earliest.isoformat())


@dataclass(frozen=True)
class DossierDocumentRecord:
    """A document of the product or lot dossier, listed by name and date (never its content)."""

    title: str
    uploaded_on: str  # ISO date


@dataclass(frozen=True)
class DossierSourceRecord:
    """One dossier revision a screening took answers from: the product's, the lot's or the clinic's."""

    scope: str  # a checklist.vocabulary.Scope value: product, lot or clinic
    title: str
    revision: int
    reviewed_by: str
    reviewed_on: str  # ISO date
    question_codes: tuple[str, ...] = ()
    documents: tuple[DossierDocumentRecord, ...] = ()


@dataclass(frozen=True)
class DossierOverrideRecord:
    """An answer changed for this patient from the dossier's, with the clinician's note."""

    question_code: str
    dossier_answer: str  # the dossier's answer, as text
    note: str
    by: str
    at: str  # ISO date and time


@dataclass(frozen=True)
class DossierUseRecord:
    """Which answers came from the clinic's dossiers (and which were changed for this patient):
    frozen with the record at signing, so a later dossier change leaves the signed record as it was."""

    sources: tuple[DossierSourceRecord, ...] = ()
    overrides: tuple[DossierOverrideRecord, ...] = ()

    @cached_property
    def overrides_by_code(self) -> dict[str, DossierOverrideRecord]:
        return {o.question_code: o for o in self.overrides}

    @cached_property
    def source_by_code(self) -> dict[str, DossierSourceRecord]:
        return {code: source for source in self.sources for code in source.question_codes}

    def origin(self, question_code: str) -> str:
        """ "override", "dossier" or "" (typed for this patient)."""
        if question_code in self.overrides_by_code:
            return "override"
        return "dossier" if question_code in self.source_by_code else ""


@dataclass(frozen=True)
class ScreeningRecord:
    checklist: ChecklistSpec
    jurisdiction: JurisdictionSpec
    answers: Mapping[str, AnswerRecord]
    context: Mapping[str, str]
    acknowledged: tuple[str, ...]
    assessment: Assessment
    resolutions: tuple[ResolutionRecord, ...] = ()
    teach_back: tuple[TeachBackRecord, ...] = ()
    schema: int = RECORD_SCHEMA
    # Set at signing; absent from records signed before it was kept (the typed name is the patient's).
    signing: SigningRecord | None = None
    # Set at signing from the clinic's setting; absent from records of schema 3 and older.
    reflection: ReflectionRecord | None = None
    # The dossiers the answers came from; absent for a screening typed in full (and older records).
    dossier: DossierUseRecord | None = None

    @cached_property
    def resolutions_by_code(self) -> dict[str, ResolutionRecord]:
        return {r.finding_code: r for r in self.resolutions}

    @property
    def checklist_version(self) -> int:
        return self.checklist.version_number

    @cached_property
    def values(self) -> dict[str, Any]:
        return {code: answer.value for code, answer in self.answers.items()}

    def answer_text(self, question: QuestionSpec) -> str:
        answer = self.answers.get(question.code)
        return question.answer_text(answer.value) if answer else ""

    def note(self, question: QuestionSpec) -> str:
        answer = self.answers.get(question.code)
        return answer.note if answer else ""

    def to_json(self) -> dict[str, Any]:
        return to_data(self)

    @classmethod
    def from_json(cls, data: Any) -> ScreeningRecord:
        if not isinstance(data, dict) or data.get("schema") not in READABLE_SCHEMAS:
            raise DataError(f"not a screening record of schema {sorted(READABLE_SCHEMAS)}")
        return from_data(cls, data)


def build_record(
    checklist: ChecklistSpec,
    *,
    jurisdiction: JurisdictionSpec,
    values: Mapping[str, Any],
    notes: Mapping[str, str],
    context: Mapping[str, str],
    acknowledged: tuple[str, ...] = (),
    resolutions: tuple[ResolutionRecord, ...] = (),
    teach_back: tuple[TeachBackRecord, ...] = (),
    dossier: DossierUseRecord | None = None,
) -> ScreeningRecord:
    """Evaluate the answers and keep what the record shows: the questions shown, what they cite,
    and the resolutions of the red flags these answers raise (others are left out)."""
    assessment = evaluate(checklist, values, context)
    visible = visible_question_codes(checklist, values)
    cited = {ref.code for finding in assessment.findings for ref in finding.references} | set(jurisdiction.references)
    answers = {
        code: AnswerRecord(value=values.get(code), note=notes.get(code, ""))
        for code in checklist.questions_by_code
        if code in visible and (values.get(code) not in (None, "", []) or notes.get(code))
    }
    return ScreeningRecord(
        checklist=checklist.pruned(question_codes=visible, cited=frozenset(cited)),
        jurisdiction=jurisdiction,
        answers=answers,
        context=dict(context),
        acknowledged=tuple(acknowledged),
        assessment=assessment,
        resolutions=tuple(r for r in resolutions if r.finding_code in {f.code for f in assessment.red_flags}),
        teach_back=tuple(teach_back),
        dossier=dossier,
    )
