"""Reads: the published checklist, a version as the read model (:mod:`checklist.spec`), a clinic's screenings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.audit_text import event_label, event_sentence, event_who
from checklist.forms_verify import is_valid_code
from checklist.models import (
    Acknowledgement,
    Answer,
    AuditEvent,
    ChecklistVersion,
    Choice,
    ConsentWithdrawal,
    Decision,
    FlagResolution,
    JurisdictionRecord,
    KeyFact,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Screening,
    ScreeningNamePrefix,
    Section,
    SignedPdfRender,
    TeachBackAnswer,
    TeachBackChoice,
    TeachBackQuestion,
    TreatmentTimeOut,
)
from checklist.models.screenings import name_search_terms
from checklist.records import ResolutionRecord, ScreeningRecord, build_record
from checklist.risk import Assessment, Finding, complete_section_codes, evaluate
from checklist.spec import (
    ChecklistSpec,
    ChoiceSpec,
    ConditionSpec,
    JurisdictionSpec,
    QuestionSpec,
    ReferenceSpec,
    RuleSpec,
    SectionSpec,
    StatementSpec,
    TeachBackChoiceSpec,
    TeachBackQuestionSpec,
    from_data,
)
from checklist.teach_back import AnswerState, ScreeningFacts, TeachBackCheck, teach_back_check
from checklist.vocabulary import Level

_spec_cache: dict[tuple[int, str, str], ChecklistSpec] = {}
_spec_cache_lock = threading.Lock()


def checklist_version_published() -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).first()


def _ref_codes(obj) -> tuple[str, ...]:
    return tuple(sorted(r.code for r in obj.references.all()))


def jurisdiction_spec(record: JurisdictionRecord) -> JurisdictionSpec:
    """One version's record of a jurisdiction, with the country's stable code and name."""
    return JurisdictionSpec(
        code=record.jurisdiction.code,
        name=record.jurisdiction.name,
        regulator=record.regulator,
        summary=record.summary,
        last_reviewed=record.last_reviewed.isoformat(),
        no_approved_products=record.no_approved_products,
        bans_human_derived_cosmetics=record.bans_human_derived_cosmetics,
        report_name=record.report_name,
        report_url=record.report_url,
        report_phone=record.report_phone,
        report_instructions=record.report_instructions,
        references=_ref_codes(record),
    )


def _question_spec(q: Question, section_code: str) -> QuestionSpec:
    return QuestionSpec(
        code=q.code,
        section_code=section_code,
        answer_type=q.answer_type,
        prompt=q.prompt,
        patient_text=q.patient_text,
        why=q.why,
        required=q.required,
        depends_on=q.depends_on.code if q.depends_on is not None else None,
        depends_on_values=frozenset(q.depends_on_values or ()),
        choices=tuple(
            ChoiceSpec(
                value=c.value,
                label=c.label,
                level=Level.from_code(c.level),
                clinician_flag=c.clinician_flag,
                patient_flag=c.patient_flag,
                ask=c.ask,
                references=_ref_codes(c),
                exclusive=c.exclusive,
            )
            for c in q.choices.all()
        ),
        references=_ref_codes(q),
        scope=q.scope,
    )


def _compile(version: ChecklistVersion) -> ChecklistSpec:
    """The version's rows as the read model: the inverse of ``services.checklist_versions.checklist_version_build``."""
    refs = Prefetch("references", queryset=Reference.objects.only("id", "code"))
    sections = (
        Section.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(
            refs,
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("position")
                .select_related("depends_on")
                .prefetch_related(
                    refs, Prefetch("choices", queryset=Choice.objects.order_by("position").prefetch_related(refs))
                ),
            ),
        )
    )
    section_specs = tuple(
        SectionSpec(
            code=section.code,
            title=section.title,
            questions=tuple(_question_spec(q, section.code) for q in section.questions.all()),
            clinician_guidance=section.clinician_guidance,
            patient_intro=section.patient_intro,
            references=_ref_codes(section),
        )
        for section in sections
    )
    rules = (
        RiskRule.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(
            refs,
            Prefetch(
                "conditions",
                queryset=RiskRuleCondition.objects.select_related("question", "before_question").order_by("id"),
            ),
        )
    )
    rule_specs = tuple(
        RuleSpec(
            code=r.code,
            level=Level.from_code(r.level),
            conditions=tuple(
                ConditionSpec(
                    values=frozenset(c.values),
                    question=c.question.code if c.question is not None else None,
                    context_key=c.context_key or None,
                    before_question=c.before_question.code if c.before_question is not None else None,
                    before_context=c.before_context or None,
                    missing=c.missing,
                )
                for c in r.conditions.all()
            ),
            clinician_flag=r.clinician_flag,
            patient_flag=r.patient_flag,
            ask=r.ask,
            references=_ref_codes(r),
        )
        for r in rules
    )
    statements = {
        model: tuple(
            StatementSpec(code=s.code, text=s.text, references=_ref_codes(s))
            for s in model.objects.filter(version=version).order_by("position").prefetch_related(refs)
        )
        for model in (KeyFact, Acknowledgement)
    }
    teach_back = tuple(
        TeachBackQuestionSpec(
            code=q.code,
            prompt=q.prompt,
            choices=tuple(
                TeachBackChoiceSpec(value=c.value, label=c.label, correct=c.correct) for c in q.choices.all()
            ),
            explanation=q.explanation,
            references=_ref_codes(q),
        )
        for q in TeachBackQuestion.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(refs, Prefetch("choices", queryset=TeachBackChoice.objects.order_by("position")))
    )
    references = {
        r.code: ReferenceSpec(
            code=r.code, title=r.title, publisher=r.publisher, date=r.date, url=r.url, accessed=r.accessed
        )
        for r in Reference.objects.order_by("code")
    }
    jurisdictions = tuple(
        jurisdiction_spec(record)
        for record in JurisdictionRecord.objects.filter(version=version)
        .select_related("jurisdiction")
        .order_by("jurisdiction__position", "jurisdiction__name")
        .prefetch_related(refs)
    )
    return ChecklistSpec(
        version_number=version.number,
        sections=section_specs,
        rules=rule_specs,
        references=references,
        key_facts=statements[KeyFact],
        acknowledgements=statements[Acknowledgement],
        jurisdictions=jurisdictions,
        teach_back=teach_back,
    )


def checklist_spec(version: ChecklistVersion) -> ChecklistSpec:
    """The version as the read model. A published or retired version never changes, and its
    shared library (references, jurisdictions) changes only with ``library_revision``, so it
    is compiled once per process for that key; a draft is compiled fresh every time."""
    if version.status == ChecklistVersion.Status.DRAFT or version.published_at is None:
        return _compile(version)
    key = (version.pk, version.published_at.isoformat(), version.library_revision)
    spec = _spec_cache.get(key)
    if spec is None:
        spec = _compile(version)
        with _spec_cache_lock:
            _spec_cache[key] = spec
    return spec


def checklist_spec_cache_clear() -> None:
    with _spec_cache_lock:
        _spec_cache.clear()


def screening_by_verification_code(code: str) -> Screening | None:
    """The signed or voided record a public verification code names, with only what the public
    page may show (clinic name, date, status, SHA-256): no patient data is even loaded."""
    if not is_valid_code(code):
        return None
    return (
        Screening.objects.filter(verification_code=code, status__in=Screening.LOCKED_STATUSES)
        .select_related("clinic")
        .only("verification_code", "status", "signed_at", "pdf_sha256", "clinic__name")
        .first()
    )


def screenings_for_clinic(clinic) -> QuerySet:
    return Screening.objects.filter(clinic=clinic)


def screening_answers(screening: Screening) -> dict[str, Any]:
    """Stored answer values by question code."""
    return screening_answers_with_notes(screening)[0]


def screening_answers_with_notes(screening: Screening) -> tuple[dict[str, Any], dict[str, str]]:
    """Stored answer values and clinicians' notes, by question code, in one query.

    ``Answer.objects`` rather than ``screening.answers``: on a step page the related manager's
    set-up cost more than the query itself.
    """
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    rows = Answer.objects.filter(screening_id=screening.pk).values_list("question__code", "value", "note")
    for code, value, note in rows:
        values[code] = value
        notes[code] = note
    return values, notes


def screening_assessment(
    screening: Screening, answers: Mapping[str, Any] | None = None
) -> tuple[ChecklistSpec, Assessment]:
    spec = checklist_spec(screening.version)
    if answers is None:
        answers = screening_answers(screening)
    return spec, evaluate(spec, answers, screening_risk_context(screening, spec))


def screening_risk_context(screening: Screening, spec: ChecklistSpec) -> dict[str, str]:
    """The screening's risk context, with the country's facts from its compiled version where that
    version lists the country (no query), else from the newest record (``Screening.jurisdiction_record``)."""
    return screening.risk_context(spec.jurisdictions_by_code.get(screening.jurisdiction.code))


def _jurisdiction_of(screening: Screening, spec: ChecklistSpec) -> JurisdictionSpec:
    known = spec.jurisdictions_by_code.get(screening.jurisdiction.code)
    if known is not None:
        return known
    record = screening.jurisdiction_record
    if record is not None:
        return jurisdiction_spec(record)
    # A country added without any record: say so, and take it as unapproved.
    return JurisdictionSpec(
        code=screening.jurisdiction.code,
        name=screening.jurisdiction.name,
        regulator=str(_("Your national medicines regulator")),
        summary=str(
            _(
                "We have no record of the rules where you live. Unless the clinic shows you written approval "
                "from the regulator for this product and this use, take it that the product is not approved."
            )
        ),
        last_reviewed=screening.version.created_at.date().isoformat(),
    )


def screening_resolutions(screening: Screening) -> tuple[ResolutionRecord, ...]:
    """The clinician's resolutions of the screening's red flags, as the record keeps them."""
    rows = FlagResolution.objects.filter(screening_id=screening.pk).select_related("resolved_by").order_by("id")
    return tuple(
        ResolutionRecord(
            finding_code=r.finding_code,
            outcome=r.outcome,
            note=r.note,
            resolved_by=r.resolved_by.get_full_name() or r.resolved_by.get_username(),
            resolved_at=r.updated_at.isoformat(),
            patient_confirmed=r.patient_confirmed_at is not None,
        )
        for r in rows
    )


def screening_teach_back(screening: Screening, spec: ChecklistSpec | None = None) -> TeachBackCheck:
    """The version's teach-back questions, filled with the screening's facts, with the patient's answers."""
    spec = spec if spec is not None else checklist_spec(screening.version)
    if not spec.teach_back:
        return TeachBackCheck(questions=())
    rows = TeachBackAnswer.objects.filter(screening_id=screening.pk).values_list(
        "question_code", "first_answer", "final_answer", "tries"
    )
    answers = {code: AnswerState(first, final, tries) for code, first, final, tries in rows}
    facts = ScreeningFacts.of(screening, spec.jurisdictions_by_code.get(screening.jurisdiction.code))
    return teach_back_check(spec.teach_back, answers, facts)


_NOT_LOADED: Any = object()


def screening_record(
    screening: Screening,
    *,
    acknowledged: tuple[str, ...] = (),
    answers: tuple[dict[str, Any], dict[str, str]] | None = None,
    teach_back: TeachBackCheck | None = None,
    dossier: Any = _NOT_LOADED,
) -> ScreeningRecord:
    """The screening's record as it stands now: what signing freezes, and what a draft preview shows.

    A page that has already read the answers (values and notes), the teach-back answers or the
    dossier use (None for a screening typed in full) passes them in, and they are not read again."""
    spec = checklist_spec(screening.version)
    values, notes = answers if answers is not None else screening_answers_with_notes(screening)
    return build_record(
        spec,
        jurisdiction=_jurisdiction_of(screening, spec),
        values=values,
        notes=notes,
        context=screening_risk_context(screening, spec),
        acknowledged=acknowledged,
        resolutions=screening_resolutions(screening),
        teach_back=(teach_back if teach_back is not None else screening_teach_back(screening, spec)).records(),
        dossier=_dossier_use_record(screening) if dossier is _NOT_LOADED else dossier,
    )


def _dossier_use_record(screening: Screening):
    """The dossiers this screening's answers came from (None when typed in full)."""
    from dossiers.selectors import dossier_use_record  # the dossiers app builds on the checklist's

    return dossier_use_record(screening)


def screening_signed_record(screening: Screening) -> ScreeningRecord | None:
    """The record frozen at signing, or None for a screening not signed."""
    data = screening.findings_snapshot
    if not data:
        return None
    if isinstance(data, dict) and "schema" not in data:
        return _record_from_first_snapshot(screening, data)
    return ScreeningRecord.from_json(data)


def _record_from_first_snapshot(screening: Screening, data: dict[str, Any]) -> ScreeningRecord:
    """Read a record signed before the read model (schema 1), which kept the findings, the
    jurisdiction and the statements but not the questions. The questions come from the version,
    which never changed since, and the answers from the screening's rows, frozen since signing."""
    spec = checklist_spec(screening.version)
    values, notes = screening_answers_with_notes(screening)
    stored = data.get("assessment") or {}
    findings = tuple(
        Finding(
            code=f["code"],
            level=Level.from_code(f["level"]),
            clinician_text=f.get("clinician_text", ""),
            patient_text=f.get("patient_text", ""),
            ask=f.get("ask", ""),
            references=tuple(from_data(ReferenceSpec, r) for r in f.get("references", [])),
            section_code=f.get("section_code"),
            question_code=f.get("question_code"),
        )
        for f in stored.get("findings", [])
    )
    jurisdiction = from_data(
        JurisdictionSpec, {**data["jurisdiction"], "references": data["jurisdiction"].get("references", [])}
    )
    current = build_record(
        spec,
        jurisdiction=jurisdiction,
        values=values,
        notes=notes,
        context=screening_risk_context(screening, spec),
        acknowledged=tuple(screening.acknowledged_codes),
    )
    assessment = Assessment(
        level=Level.from_code(stored.get("level") or "none"),
        findings=findings,
        standing_uncertainties=spec.key_facts,
        headline=stored.get("headline", ""),
        summary=stored.get("summary", ""),
    )
    return dataclasses.replace(current, assessment=assessment)


@dataclass(frozen=True)
class ScreeningKey:
    """Where a screening stands in a newest-first list: the dashboard pages from one to the next.

    Paging by the last row's key (keyset paging) rather than by an offset costs the same for the
    last page as for the first: the database starts in its index at the key instead of walking
    past every newer row. As a URL parameter it is ``<microseconds since 1970>-<id in hex>``.
    """

    created_at: dt.datetime
    pk: uuid.UUID

    @classmethod
    def of(cls, screening: Screening) -> ScreeningKey:
        return cls(created_at=screening.created_at, pk=screening.pk)

    @classmethod
    def parse(cls, token: str | None) -> ScreeningKey | None:
        """The key a token stands for, or None for anything that is not one (a typo, a probe)."""
        match = _KEY_TOKEN.fullmatch(token or "")
        if match is None:
            return None
        try:
            created_at = _EPOCH + dt.timedelta(microseconds=int(match["micros"]))
        except OverflowError:
            return None
        return cls(created_at=created_at, pk=uuid.UUID(hex=match["pk"]))

    @property
    def token(self) -> str:
        micros = (self.created_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}-{self.pk.hex}"

    def sort_value(self) -> tuple[dt.datetime, uuid.UUID]:
        return (self.created_at, self.pk)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_KEY_TOKEN = re.compile(r"(?P<micros>[0-9]{1,18})-(?P<pk>[0-9a-f]{32})")
# What a screening reference looks like (models.screenings.new_screening_reference), in any case.
_REFERENCE = re.compile(r"EXO-[0-9A-Z]{4}-[0-9A-Z]{4}", re.IGNORECASE)
_LIST_FIELDS = (
    "id",
    "reference",
    "patient_name",
    "patient_reference",
    "product_name",
    "intended_use",
    "intended_use_other",
    "route",
    "route_other",
    "status",
    "decision",
    "overall_risk",
    "red_flag_count",
    "caution_count",
    "version_id",
    "saved_sections",
    "updated_at",
    "created_at",
    "clinician__username",
    "clinician__first_name",
    "clinician__last_name",
)


def _in_key_order(queryset: QuerySet, *, pk: str, after: ScreeningKey | None, before: ScreeningKey | None) -> QuerySet:
    """Rows past ``after`` newest first, or rows before ``before`` oldest first.

    The bare ``created_at`` bound is redundant with the condition that follows it, but it is the
    one an index range can start from, on SQLite as on PostgreSQL.
    """
    if after is not None:
        queryset = queryset.filter(created_at__lte=after.created_at).filter(
            Q(created_at__lt=after.created_at) | Q(**{f"{pk}__lt": after.pk})
        )
        return queryset.order_by("-created_at", f"-{pk}")
    if before is not None:
        queryset = queryset.filter(created_at__gte=before.created_at).filter(
            Q(created_at__gt=before.created_at) | Q(**{f"{pk}__gt": before.pk})
        )
        return queryset.order_by("created_at", pk)
    return queryset.order_by("-created_at", f"-{pk}")


def _keys_by_name(
    *, clinic, terms: list[str], filters: dict[str, str], after, before, count: int
) -> list[ScreeningKey]:
    """The first ``count`` screenings whose patient's name has a word starting with every term.

    The longest term, likely the rarest, is walked in its index order (clinic, prefix, date), and
    each row it gives is checked for the other terms through the unique (screening, prefix)
    index, so the walk stops after ``count`` matches however many the clinic has in all.
    """
    leading, *others = sorted(set(terms), key=len, reverse=True)
    prefixes = ScreeningNamePrefix.objects.filter(clinic=clinic, prefix=leading)
    for term in others:
        prefixes = prefixes.filter(
            Exists(ScreeningNamePrefix.objects.filter(screening_id=OuterRef("screening_id"), prefix=term))
        )
    if filters:
        prefixes = prefixes.filter(**{f"screening__{name}": value for name, value in filters.items()})
    rows = _in_key_order(prefixes, pk="screening_id", after=after, before=before)
    return [ScreeningKey(created_at=c, pk=p) for p, c in rows.values_list("screening_id", "created_at")[:count]]


def _keys_by_patient_reference(*, clinic, query: str, filters, after, before, count: int) -> list[ScreeningKey]:
    matching = Screening.objects.filter(clinic=clinic, patient_reference=query, **filters)
    rows = _in_key_order(matching, pk="pk", after=after, before=before)
    return [ScreeningKey(created_at=c, pk=p) for p, c in rows.values_list("pk", "created_at")[:count]]


def screening_search(
    *,
    clinic,
    query: str = "",
    status: str = "",
    risk: str = "",
    after: ScreeningKey | None = None,
    before: ScreeningKey | None = None,
    offset: int = 0,
    limit: int,
) -> list[Screening]:
    """A clinic's screenings newest first: at most ``limit`` of them, past ``offset`` rows or
    past the key ``after`` (older) or ``before`` (newer), matching the search and filters.

    A whole reference is looked up through its unique index; any other query is the start of
    words of the patient's name ("jor ave" finds Jordan Avery) or the clinic's record number.
    Every query is limited before anything is fetched and walks an index in list order, so a
    page costs the same whatever the clinic's size and however many patients share a name.
    """
    filters = {name: value for name, value in (("status", status), ("overall_risk", risk)) if value}
    listed = Screening.objects.select_related("clinician").only(*_LIST_FIELDS)
    count = offset + limit
    if not query or _REFERENCE.fullmatch(query):
        rows = listed.filter(clinic=clinic, **filters)
        if query:
            rows = rows.filter(reference=query.upper())
        found = list(_in_key_order(rows, pk="pk", after=after, before=before)[offset:count])
        return found[::-1] if before is not None else found
    keys = _keys_by_patient_reference(
        clinic=clinic, query=query, filters=filters, after=after, before=before, count=count
    )
    terms = name_search_terms(query)
    if terms:
        keys += _keys_by_name(clinic=clinic, terms=terms, filters=filters, after=after, before=before, count=count)
    ordered = sorted(set(keys), key=ScreeningKey.sort_value, reverse=before is None)[offset:count]
    # The keys come from clinic-scoped lookups; the clinic is checked again here rather than in
    # SQL, where SQLite would then walk all the clinic's rows by date instead of the page's ids.
    rows = listed.only(*_LIST_FIELDS, "clinic_id").filter(pk__in=[key.pk for key in ordered])
    by_pk = {s.pk: s for s in rows if s.clinic_id == clinic.pk}
    found = [by_pk[key.pk] for key in ordered if key.pk in by_pk]
    return found[::-1] if before is not None else found


@dataclass(frozen=True)
class SectionsDone:
    """How far an open screening has got: sections complete (as the step bar ticks them) of all."""

    done: int
    total: int


def screening_list_progress(screenings: list[Screening]) -> dict[uuid.UUID, SectionsDone]:
    """Sections done of total for the open screenings of a listed page, keyed by screening.

    Two queries for the whole page, whatever its size: the versions the page's drafts were
    started under (each compiled once per process) and all their answers. Signed and voided
    rows have a decision instead and cost nothing here.
    """
    open_rows = [s for s in screenings if not s.is_locked]
    if not open_rows:
        return {}
    versions = ChecklistVersion.objects.in_bulk({s.version_id for s in open_rows})
    values: dict[uuid.UUID, dict[str, Any]] = {s.pk: {} for s in open_rows}
    answers = Answer.objects.filter(screening_id__in=list(values))
    for screening_id, code, value in answers.values_list("screening_id", "question__code", "value"):
        values[screening_id][code] = value
    progress = {}
    for screening in open_rows:
        spec = checklist_spec(versions[screening.version_id])
        done = complete_section_codes(spec, values[screening.pk], screening.saved_sections)
        progress[screening.pk] = SectionsDone(done=len(done), total=len(spec.sections))
    return progress


def screenings_open_under(version: ChecklistVersion) -> int:
    """How many screenings, in every clinic, are still open (draft or awaiting signature) under a
    version: what publishing a new version leaves on the old questions until they are signed."""
    return Screening.objects.filter(
        version=version, status__in=[Screening.Status.DRAFT, Screening.Status.AWAITING_SIGNATURE]
    ).count()


def screening_awaiting_signature_count(clinic) -> int:
    """How many of the clinic's screenings have every required answer and wait for the signature.

    Counted on the (clinic, status, created_at) index, so it costs what that status has, not the clinic's size."""
    return Screening.objects.filter(clinic=clinic, status=Screening.Status.AWAITING_SIGNATURE).count()


# A render normally takes seconds; pending this long means no worker is taking the queue.
PDF_STALLED_AFTER = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class SignedPdfStatus:
    """Where a locked screening's take-home PDF stands, and what to tell the clinic about it."""

    state: str  # "ready", "pending", "stalled" or "failed"
    message: str
    reason: str = ""

    @property
    def is_ready(self) -> bool:
        return self.state == "ready"


def signed_pdf_status(screening: Screening) -> SignedPdfStatus:
    if screening.has_stored_pdf:
        return SignedPdfStatus("ready", _("The signed PDF is ready."))
    render = SignedPdfRender.objects.filter(screening_id=screening.pk).first()
    rerun = _("Ask your administrator to run: manage.py screening_pdf_render %(reference)s") % {
        "reference": screening.reference
    }
    safe = _("The signature, the ticked statements and the answers are saved; only the PDF file is missing.")
    if render is not None and render.status == SignedPdfRender.Status.FAILED:
        message = _("The signed PDF could not be stored after %(n)d tries.") % {"n": render.attempts}
        return SignedPdfStatus("failed", f"{message} {safe} {rerun}", reason=render.error)
    since = render.updated_at if render is not None else screening.signed_at
    if since is not None and timezone.now() - since > PDF_STALLED_AFTER:
        message = _("The signed PDF is still being prepared. The background worker may not be running.")
        return SignedPdfStatus("stalled", f"{message} {safe} {rerun}", reason=render.error if render else "")
    if render is not None and render.error:
        message = _("The signed PDF is being prepared again after a failed try.")
        return SignedPdfStatus("pending", message, reason=render.error)
    return SignedPdfStatus("pending", _("The signed PDF is being prepared. It is usually ready within seconds."))


@dataclass(frozen=True)
class AuditRow:
    """One audit event as the clinic admin reads it: who, in words, and the screening it concerns."""

    at: dt.datetime
    who: str
    label: str
    sentence: str
    reference: str
    screening_id: uuid.UUID | None


def audit_events_for_clinic(
    clinic,
    *,
    person=None,
    reference: str = "",
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """A clinic's audit events, newest first, narrowed by the audit log's filters (dates inclusive,
    in the clinic's time zone)."""
    events = (
        AuditEvent.objects.filter(clinic=clinic)
        .select_related("actor", "screening")
        .only(
            "at",
            "action",
            "detail",
            "actor__username",
            "actor__first_name",
            "actor__last_name",
            "screening__id",
            "screening__reference",
        )
    )
    if person is not None:
        events = events.filter(actor=person)
    if reference:
        events = events.filter(screening__reference=reference)
    if kind:
        events = events.filter(action=kind)
    zone = timezone.get_current_timezone()
    if date_from is not None:
        events = events.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=zone))
    if date_to is not None:
        events = events.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return events.order_by("-at", "-id")


def staff_names(clinic_id: int, events) -> dict[str, str]:
    """The full names of the clinic's staff that these events name by username, in one query."""
    usernames = {str(e.detail["member"]) for e in events if isinstance(e.detail, dict) and e.detail.get("member")}
    if not usernames:
        return {}
    people = get_user_model().objects.filter(username__in=usernames, membership__clinic_id=clinic_id)
    return {p.get_username(): p.get_full_name() or p.get_username() for p in people}


def audit_event_rows(clinic, events) -> list[AuditRow]:
    """The events in plain words, with the full names of the staff they name."""
    events = list(events)
    names = staff_names(clinic.pk, events)
    return [
        AuditRow(
            at=e.at,
            who=event_who(e.action, e.actor),
            label=event_label(e.action),
            sentence=event_sentence(e.action, e.detail if isinstance(e.detail, dict) else {}, names),
            reference=e.screening.reference if e.screening is not None else "",
            screening_id=e.screening.pk if e.screening is not None else None,
        )
        for e in events
    ]


def screening_withdrawal(screening: Screening) -> ConsentWithdrawal | None:
    """The patient's withdrawal of this screening's consent, or None."""
    return ConsentWithdrawal.objects.filter(screening=screening).select_related("recorded_by").first()


def screening_time_out(screening: Screening) -> TreatmentTimeOut | None:
    """The treatment day's time-out of this screening, or None."""
    return TreatmentTimeOut.objects.filter(screening=screening).select_related("treating_clinician").first()


@dataclass(frozen=True)
class RetiredVersionState:
    """An open screening under a retired version: until when it may still be finished under it."""

    version_number: int
    published_number: int | None
    finish_by: dt.datetime
    must_move: bool


def screening_retired_version_state(
    screening: Screening, *, now: dt.datetime | None = None
) -> RetiredVersionState | None:
    """None for a signed or voided screening (it never changes version) or one under the
    published version; else the clinic's grace period (``Clinic.retired_version_grace_days``),
    counted from when its version was retired, and whether it has run out."""
    version = screening.version
    if screening.is_locked or version.status != ChecklistVersion.Status.RETIRED:
        return None
    published = checklist_version_published()
    retired_at = version.retired_at or version.published_at or timezone.now()
    finish_by = retired_at + dt.timedelta(days=screening.clinic.retired_version_grace_days)
    return RetiredVersionState(
        version_number=version.number,
        published_number=published.number if published else None,
        finish_by=finish_by,
        must_move=(now or timezone.now()) >= finish_by,
    )


def screenings_to_reconsent(clinic) -> QuerySet[Screening]:
    """The clinic's patients to ask to consent again: the one rule for the dashboard's list.

    A signed "go ahead" (not voided) under a retired checklist version whose treatment is not
    given yet (no ``TreatmentTimeOut`` recorded) and whose consent is not withdrawn, with no signed
    re-consent yet (one started but not signed keeps it on the list, with a link to it:
    ``open_reconsents``).
    """
    return (
        Screening.objects.filter(
            clinic=clinic,
            status=Screening.Status.SIGNED,
            decision=Decision.PROCEED,
            # By the version's own index: a clinic's screenings under retired versions, not all
            # its signed ones (the dashboard counts these on every load).
            version_id__in=ChecklistVersion.objects.filter(status=ChecklistVersion.Status.RETIRED).values("id"),
        )
        .exclude(Exists(TreatmentTimeOut.objects.filter(screening=OuterRef("pk"))))
        .exclude(Exists(ConsentWithdrawal.objects.filter(screening=OuterRef("pk"))))
        .exclude(Exists(Screening.objects.filter(reconsent_of=OuterRef("pk"), status=Screening.Status.SIGNED)))
        .select_related("version")
        .prefetch_related(
            Prefetch(
                "reconsents",
                queryset=Screening.objects.exclude(status=Screening.Status.VOIDED).only("id", "reconsent_of", "status"),
                to_attr="open_reconsents",
            )
        )
        .order_by(F("planned_date").asc(nulls_last=True), "created_at")
    )
