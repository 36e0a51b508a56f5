"""Writes to the question bank: load a content file, publish a version, copy one as a new draft."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from checklist.content_schema import ContentFile
from checklist.models import (
    Acknowledgement,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    JurisdictionRecord,
    KeyFact,
    PublishedVersionLocked,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Section,
    TeachBackChoice,
    TeachBackQuestion,
)
from checklist.selectors import checklist_spec
from checklist.spec import ChecklistSpec, ChoiceSpec, RuleSpec


@dataclass
class LoadReport:
    version_number: int
    version_action: str  # "created", "unchanged", "replaced draft"
    references_changed: list[str] = field(default_factory=list)
    jurisdictions_changed: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return self.version_action != "unchanged" or bool(self.references_changed or self.jurisdictions_changed)


def _sync_by_code(model, rows: dict[str, dict]) -> list[str]:
    """Create or update rows of ``model`` by their unique code, writing only those that differ;
    returns the codes written. The stored rows are read in one query."""
    stored = model.objects.in_bulk(list(rows), field_name="code")
    written = []
    for code, values in rows.items():
        obj = stored.get(code)
        if obj is None:
            obj = model(code=code, **values)
        else:
            diff = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if not diff:
                continue
            for k, v in diff.items():
                setattr(obj, k, v)
        obj.full_clean()
        obj.save()
        written.append(code)
    return written


def _sync_library(checklist: ChecklistSpec, report: LoadReport) -> dict[str, Reference]:
    """Create new references and jurisdictions, and update those no published version uses yet.

    One that a published or retired version uses is frozen (its signed PDFs print it): a file that
    changes a reference is refused, naming it, and the editor gives the new text a new code. A
    jurisdiction here is only the country (code, name, order); what a version says about it is
    that version's ``JurisdictionRecord``, built with the version.
    """
    references = {
        ref.code: {f.name: getattr(ref, f.name) for f in dataclasses.fields(ref) if f.name != "code"}
        for ref in checklist.references.values()
    }
    jurisdictions = {
        j.code: {"name": j.name, "position": position} for position, j in enumerate(checklist.jurisdictions)
    }
    try:
        report.references_changed += _sync_by_code(Reference, references)
        report.jurisdictions_changed += _sync_by_code(Jurisdiction, jurisdictions)
    except PublishedVersionLocked as exc:
        raise ContentConflict(
            f"The content file changes published content. {exc} "
            "Published content never changes: give the changed entry a new code in a new version."
        ) from exc
    return {r.code: r for r in Reference.objects.all()}


def _flag_text(spec: ChoiceSpec | RuleSpec) -> dict[str, str]:
    return {"clinician_flag": spec.clinician_flag, "patient_flag": spec.patient_flag, "ask": spec.ask}


def _cite(model, rows: Sequence[Any], specs: Sequence[Any], refs: dict[str, Reference]) -> None:
    """The citations of freshly created rows of ``model`` (each spec's ``references``, in the rows'
    order), in one insert."""
    through = model.references.through
    source = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        [
            through(**{source: row.pk, "reference_id": refs[code].pk})
            for row, spec in zip(rows, specs, strict=True)
            for code in spec.references
        ]
    )


def checklist_version_build(*, version: ChecklistVersion, checklist: ChecklistSpec) -> None:
    """Create the rows of a draft version from the read model: the inverse of ``selectors.checklist_spec``.

    The draft is checked once, then each kind of row goes in with one insert (and its citations
    with one more): the rows' own ``save()`` checks would ask the same question hundreds of times.
    """
    version.assert_editable()
    refs = {r.code: r for r in Reference.objects.all()}
    sections = Section.objects.bulk_create(
        Section(
            version=version,
            code=s.code,
            title=s.title,
            position=s_pos,
            clinician_guidance=s.clinician_guidance,
            patient_intro=s.patient_intro,
        )
        for s_pos, s in enumerate(checklist.sections, start=1)
    )
    _cite(Section, sections, checklist.sections, refs)
    question_specs = [
        (section, q_pos, q)
        for section, s in zip(sections, checklist.sections, strict=True)
        for q_pos, q in enumerate(s.questions, start=1)
    ]
    created = Question.objects.bulk_create(
        Question(
            section=section,
            code=q.code,
            position=q_pos,
            answer_type=q.answer_type,
            required=q.required,
            prompt=q.prompt,
            patient_text=q.patient_text,
            why=q.why,
            depends_on_values=sorted(q.depends_on_values),
            scope=q.scope,
        )
        for section, q_pos, q in question_specs
    )
    questions = {row.code: row for row in created}
    dependent = []
    for row, (_section, _pos, q) in zip(created, question_specs, strict=True):
        if q.depends_on:
            row.depends_on = questions[q.depends_on]
            dependent.append(row)
    Question.objects.bulk_update(dependent, ["depends_on"])
    _cite(Question, created, [q for _s, _p, q in question_specs], refs)
    choice_specs = [
        (questions[q.code], c_pos, ch) for _s, _p, q in question_specs for c_pos, ch in enumerate(q.choices, start=1)
    ]
    choices = Choice.objects.bulk_create(
        Choice(
            question=question,
            value=ch.value,
            label=ch.label,
            position=c_pos,
            level=ch.level.code,
            exclusive=ch.exclusive,
            **_flag_text(ch),
        )
        for question, c_pos, ch in choice_specs
    )
    _cite(Choice, choices, [ch for _q, _p, ch in choice_specs], refs)
    rules = RiskRule.objects.bulk_create(
        RiskRule(version=version, code=r.code, position=r_pos, level=r.level.code, **_flag_text(r))
        for r_pos, r in enumerate(checklist.rules, start=1)
    )
    _cite(RiskRule, rules, checklist.rules, refs)
    RiskRuleCondition.objects.bulk_create(
        RiskRuleCondition(
            rule=rule,
            question=questions[cond.question] if cond.question else None,
            context_key=cond.context_key or "",
            values=sorted(cond.values),
            before_question=questions[cond.before_question] if cond.before_question else None,
            before_context=cond.before_context or "",
            missing=cond.missing,
        )
        for rule, r in zip(rules, checklist.rules, strict=True)
        for cond in r.conditions
    )
    key_facts = KeyFact.objects.bulk_create(
        KeyFact(version=version, code=item.code, position=pos, text=item.text)
        for pos, item in enumerate(checklist.key_facts, start=1)
    )
    _cite(KeyFact, key_facts, checklist.key_facts, refs)
    acknowledgements = Acknowledgement.objects.bulk_create(
        Acknowledgement(version=version, code=item.code, position=pos, text=item.text)
        for pos, item in enumerate(checklist.acknowledgements, start=1)
    )
    _cite(Acknowledgement, acknowledgements, checklist.acknowledgements, refs)
    jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=checklist.jurisdictions_by_code)}
    records = JurisdictionRecord.objects.bulk_create(
        JurisdictionRecord(
            version=version,
            jurisdiction=jurisdictions[j.code],
            regulator=j.regulator,
            summary=j.summary,
            no_approved_products=j.no_approved_products,
            bans_human_derived_cosmetics=j.bans_human_derived_cosmetics,
            report_name=j.report_name,
            report_url=j.report_url,
            report_phone=j.report_phone,
            report_instructions=j.report_instructions,
            last_reviewed=j.last_reviewed_date,
        )
        for j in checklist.jurisdictions
    )
    _cite(JurisdictionRecord, records, checklist.jurisdictions, refs)
    teach_back = TeachBackQuestion.objects.bulk_create(
        TeachBackQuestion(version=version, code=tb.code, position=pos, prompt=tb.prompt, explanation=tb.explanation)
        for pos, tb in enumerate(checklist.teach_back, start=1)
    )
    _cite(TeachBackQuestion, teach_back, checklist.teach_back, refs)
    TeachBackChoice.objects.bulk_create(
        TeachBackChoice(question=row, value=c.value, label=c.label, position=c_pos, correct=c.correct)
        for row, tb in zip(teach_back, checklist.teach_back, strict=True)
        for c_pos, c in enumerate(tb.choices, start=1)
    )


def _retire_published(*, except_pk: int) -> None:
    # A status change is the one edit a published version allows, so it bypasses save().
    ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).exclude(pk=except_pk).update(
        status=ChecklistVersion.Status.RETIRED, retired_at=timezone.now()
    )


@transaction.atomic
def checklist_content_publish(*, content: ContentFile) -> ChecklistVersion:
    """Install a content file and publish it at once if it came in as a draft (tests): what an
    editor does in two steps, for callers that mean both."""
    checklist_content_load(content=content)
    version = ChecklistVersion.objects.get(number=content.checklist.version_number)
    if version.status == ChecklistVersion.Status.DRAFT:
        version = checklist_version_publish(version=version)
    return version


@transaction.atomic
def checklist_version_publish(*, version: ChecklistVersion) -> ChecklistVersion:
    """Publish a draft and retire the version published before it."""
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ChecklistVersion.Status.DRAFT:
        raise PublishedVersionLocked(f"Checklist v{version.number} is {version.status}; only a draft can be published.")
    if not version.sections.exists():
        raise ValueError("A version without sections cannot be published.")
    _retire_published(except_pk=version.pk)
    now = timezone.now()
    ChecklistVersion.objects.filter(pk=version.pk).update(status=ChecklistVersion.Status.PUBLISHED, published_at=now)
    version.refresh_from_db()
    return version


class DraftRefused(Exception):
    """A new draft was asked for from a version other than the published one, or while one exists."""


def checklist_version_draft() -> ChecklistVersion | None:
    """The one draft being edited, if any (the database allows no second)."""
    return ChecklistVersion.objects.filter(status=ChecklistVersion.Status.DRAFT).first()


@transaction.atomic
def checklist_version_copy(*, version: ChecklistVersion, change_notes: str = "") -> ChecklistVersion:
    """Copy the published version, with all its content, into the one editable draft (the next number).

    Only the published version is copied: a copy of a draft or of a retired version would publish
    content nobody reviewed against what patients see now. Only one draft exists at a time.
    """
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ChecklistVersion.Status.PUBLISHED:
        raise DraftRefused(
            f"Checklist v{version.number} is {version.get_status_display().lower()}: "
            "only the published version can be copied as a new draft."
        )
    existing = checklist_version_draft()
    if existing is not None:
        raise DraftRefused(
            f"Draft v{existing.number} already exists: edit it, publish it or delete it before starting another."
        )
    next_number = (ChecklistVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ChecklistVersion.objects.create(
        number=next_number, change_notes=change_notes or f"Copied from v{version.number}."
    )
    checklist_version_build(version=draft, checklist=checklist_spec(version))
    return draft


class ContentConflict(Exception):
    """The content file and a published version of the same number disagree."""


@transaction.atomic
def checklist_content_load(*, content: ContentFile) -> LoadReport:
    """Install a content file (from ``content_schema.load_content_file``). Idempotent.

    New references and jurisdictions are added; those no published or retired version uses are
    updated in place, and a change to one that is used is refused (``_sync_library``). A new
    version is created, and published only when nothing is published yet: with a version
    published, it stays a draft for an editor to review and publish (admin action or
    ``publish_checklist``), because publishing moves the clinics' open screenings onto it. Each
    version's jurisdiction records are its own, built with it. The
    version is left alone if the database already holds the same content; rebuilt if it is still
    a draft; and refused if it was published with different content, because a published version
    never changes: give the file a new version number instead.
    """
    checklist = content.checklist
    report = LoadReport(version_number=checklist.version_number, version_action="unchanged")
    _sync_library(checklist, report)
    if report.references_changed or report.jurisdictions_changed:
        ChecklistVersion.library_changed()
    version = ChecklistVersion.objects.filter(number=checklist.version_number).first()
    if version is not None and checklist_spec(version).same_version_content(checklist):
        return report
    if version is not None and version.status != ChecklistVersion.Status.DRAFT:
        raise ContentConflict(
            f"Checklist v{version.number} is {version.status} and differs from the content file. "
            "Published versions never change: give the file a new version number."
        )
    draft = checklist_version_draft()
    if version is None and draft is not None:
        raise ContentConflict(
            f"Draft v{draft.number} is being edited in the admin: publish or delete it before loading "
            f"v{checklist.version_number} from a file (only one draft exists at a time)."
        )
    if version is not None:
        version.sections.all().delete()
        version.rules.all().delete()
        version.key_facts.all().delete()
        version.acknowledgements.all().delete()
        version.teach_back.all().delete()
        version.jurisdiction_records.all().delete()
        report.version_action = "replaced draft"
    else:
        version = ChecklistVersion.objects.create(number=checklist.version_number, change_notes=content.change_notes)
        report.version_action = "created"
    checklist_version_build(version=version, checklist=checklist)
    if not ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).exists():
        checklist_version_publish(version=version)
        report.version_action += " and published"
    return report
