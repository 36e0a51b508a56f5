"""Reads: the published checklist, a version as the read model (:mod:`checklist.spec`), a clinic's screenings."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from checklist.models import (
    Acknowledgement,
    Answer,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    KeyFact,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Screening,
    Section,
)
from checklist.records import ScreeningRecord, build_record
from checklist.risk import Assessment, Finding, evaluate
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
    from_data,
)
from checklist.vocabulary import Level

_spec_cache: dict[tuple[int, str, str], ChecklistSpec] = {}
_spec_cache_lock = threading.Lock()


def checklist_version_published() -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).first()


def _ref_codes(obj) -> tuple[str, ...]:
    return tuple(sorted(r.code for r in obj.references.all()))


def jurisdiction_spec(jurisdiction: Jurisdiction, references: tuple[str, ...] | None = None) -> JurisdictionSpec:
    return JurisdictionSpec(
        code=jurisdiction.code,
        name=jurisdiction.name,
        regulator=jurisdiction.regulator,
        summary=jurisdiction.summary,
        last_reviewed=jurisdiction.last_reviewed.isoformat(),
        no_approved_products=jurisdiction.no_approved_products,
        bans_human_derived_cosmetics=jurisdiction.bans_human_derived_cosmetics,
        report_name=jurisdiction.report_name,
        report_url=jurisdiction.report_url,
        report_phone=jurisdiction.report_phone,
        report_instructions=jurisdiction.report_instructions,
        references=references if references is not None else _ref_codes(jurisdiction),
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
            )
            for c in q.choices.all()
        ),
        references=_ref_codes(q),
    )


def _compile(version: ChecklistVersion) -> ChecklistSpec:
    """The version's rows as the read model: the inverse of ``services.checklist_versions.checklist_version_build``."""
    refs = Prefetch("references", queryset=Reference.objects.only("id", "code"))
    sections = (
        Section.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("position")
                .select_related("depends_on")
                .prefetch_related(
                    refs, Prefetch("choices", queryset=Choice.objects.order_by("position").prefetch_related(refs))
                ),
            )
        )
    )
    section_specs = tuple(
        SectionSpec(
            code=section.code,
            title=section.title,
            questions=tuple(_question_spec(q, section.code) for q in section.questions.all()),
            clinician_guidance=section.clinician_guidance,
            patient_intro=section.patient_intro,
        )
        for section in sections
    )
    rules = (
        RiskRule.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(
            refs, Prefetch("conditions", queryset=RiskRuleCondition.objects.select_related("question").order_by("id"))
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
    references = {
        r.code: ReferenceSpec(code=r.code, title=r.title, publisher=r.publisher, date=r.date, url=r.url)
        for r in Reference.objects.order_by("code")
    }
    jurisdictions = tuple(jurisdiction_spec(j) for j in Jurisdiction.objects.prefetch_related(refs))
    return ChecklistSpec(
        version_number=version.number,
        sections=section_specs,
        rules=rule_specs,
        references=references,
        key_facts=statements[KeyFact],
        acknowledgements=statements[Acknowledgement],
        jurisdictions=jurisdictions,
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
    return spec, evaluate(spec, answers, screening.risk_context())


def _jurisdiction_of(screening: Screening, spec: ChecklistSpec) -> JurisdictionSpec:
    known = spec.jurisdictions_by_code.get(screening.jurisdiction.code)
    return known if known is not None else jurisdiction_spec(screening.jurisdiction)


def screening_record(screening: Screening, *, acknowledged: tuple[str, ...] = ()) -> ScreeningRecord:
    """The screening's record as it stands now: what signing freezes, and what a draft preview shows."""
    spec = checklist_spec(screening.version)
    values, notes = screening_answers_with_notes(screening)
    return build_record(
        spec,
        jurisdiction=_jurisdiction_of(screening, spec),
        values=values,
        notes=notes,
        context=screening.risk_context(),
        acknowledged=acknowledged,
    )


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
        context=screening.risk_context(),
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
