"""Writes to the question bank: load a content file, publish a version, copy one as a new draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from checklist.content_schema import version_part
from checklist.models import (
    Acknowledgement,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    KeyFact,
    PublishedVersionLocked,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Section,
)


@dataclass
class LoadReport:
    version_number: int
    version_action: str  # "created", "unchanged", "replaced draft"
    references_changed: list[str] = field(default_factory=list)
    jurisdictions_changed: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return self.version_action != "unchanged" or bool(self.references_changed or self.jurisdictions_changed)


def _upsert(model, lookup: dict, values: dict, m2m: dict[str, list] | None = None) -> bool:
    """Create or update one row, writing only when something differs. Returns whether it changed."""
    obj = model.objects.filter(**lookup).first()
    changed = False
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        changed = True
    else:
        diff = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if diff:
            for k, v in diff.items():
                setattr(obj, k, v)
            obj.full_clean()
            obj.save()
            changed = True
    for name, related in (m2m or {}).items():
        manager = getattr(obj, name)
        if {r.pk for r in manager.all()} != {r.pk for r in related}:
            manager.set(related)
            changed = True
    return changed


def _sync_library(content: dict, report: LoadReport) -> dict[str, Reference]:
    for ref in content["references"]:
        if _upsert(Reference, {"code": ref["code"]}, {k: v for k, v in ref.items() if k != "code"}):
            report.references_changed.append(ref["code"])
    refs = {r.code: r for r in Reference.objects.all()}
    for j in content["jurisdictions"]:
        values = {k: v for k, v in j.items() if k not in {"code", "references"}}
        values["last_reviewed"] = dt.date.fromisoformat(values["last_reviewed"])
        if _upsert(Jurisdiction, {"code": j["code"]}, values, {"references": [refs[c] for c in j["references"]]}):
            report.jurisdictions_changed.append(j["code"])
    return refs


def _build_version_content(version: ChecklistVersion, part: dict, refs: dict[str, Reference]) -> None:
    """Create sections, questions, choices, rules and statements of a draft version from canonical content."""
    questions: dict[str, Question] = {}
    for s_pos, s in enumerate(part["sections"], start=1):
        section = Section.objects.create(
            version=version,
            code=s["code"],
            title=s["title"],
            position=s_pos,
            clinician_guidance=s["clinician_guidance"],
            patient_intro=s["patient_intro"],
        )
        for q_pos, q in enumerate(s["questions"], start=1):
            show_if = q["show_if"]
            question = Question.objects.create(
                section=section,
                code=q["code"],
                position=q_pos,
                answer_type=q["type"],
                required=q["required"],
                prompt=q["prompt"],
                patient_text=q["patient_text"],
                why_it_matters=q["why"],
                depends_on=questions[show_if["question"]] if show_if else None,
                depends_on_values=show_if["values"] if show_if else [],
            )
            question.references.set([refs[c] for c in q["references"]])
            questions[q["code"]] = question
            for c_pos, ch in enumerate(q["choices"], start=1):
                choice = Choice.objects.create(
                    question=question,
                    value=ch["value"],
                    label=ch["label"],
                    position=c_pos,
                    risk_level=ch["risk"],
                    clinician_flag=ch["clinician_flag"],
                    patient_flag=ch["patient_flag"],
                    ask=ch["ask"],
                )
                choice.references.set([refs[c] for c in ch["references"]])
    for r_pos, r in enumerate(part["rules"], start=1):
        rule = RiskRule.objects.create(
            version=version,
            code=r["code"],
            position=r_pos,
            risk_level=r["risk"],
            clinician_flag=r["clinician_flag"],
            patient_flag=r["patient_flag"],
            ask=r["ask"],
        )
        rule.references.set([refs[c] for c in r["references"]])
        for cond in r["when"]:
            RiskRuleCondition.objects.create(
                rule=rule,
                question=questions[cond["question"]] if "question" in cond else None,
                context_key=cond.get("context", ""),
                values=cond["values"],
            )
    for model, key in ((KeyFact, "key_facts"), (Acknowledgement, "acknowledgements")):
        for pos, item in enumerate(part[key], start=1):
            obj = model.objects.create(version=version, code=item["code"], position=pos, text=item["text"])
            obj.references.set([refs[c] for c in item["references"]])


def checklist_version_export(version: ChecklistVersion) -> dict:
    """The version's content in the canonical form of a content file (see ``content_schema``)."""
    ref_codes = Prefetch("references", queryset=Reference.objects.only("id", "code"))

    def codes(obj) -> list[str]:
        return sorted(r.code for r in obj.references.all())

    def flag(obj) -> dict:
        return {
            "clinician_flag": obj.clinician_flag,
            "patient_flag": obj.patient_flag,
            "ask": obj.ask,
            "references": codes(obj),
        }

    sections = []
    for s in version.sections.order_by("position").prefetch_related(
        Prefetch(
            "questions",
            queryset=Question.objects.order_by("position")
            .select_related("depends_on")
            .prefetch_related(ref_codes, Prefetch("choices", queryset=Choice.objects.prefetch_related(ref_codes))),
        )
    ):
        questions = []
        for q in s.questions.all():
            questions.append(
                {
                    "code": q.code,
                    "type": q.answer_type,
                    "required": q.required,
                    "prompt": q.prompt,
                    "patient_text": q.patient_text,
                    "why": q.why_it_matters,
                    "references": codes(q),
                    "show_if": (
                        {"question": q.depends_on.code, "values": sorted(q.depends_on_values)}
                        if q.depends_on_id
                        else None
                    ),
                    "choices": [
                        {"value": c.value, "label": c.label, "risk": c.risk_level, **flag(c)}
                        for c in sorted(q.choices.all(), key=lambda c: c.position)
                    ],
                }
            )
        sections.append(
            {
                "code": s.code,
                "title": s.title,
                "clinician_guidance": s.clinician_guidance,
                "patient_intro": s.patient_intro,
                "questions": questions,
            }
        )
    rules = []
    for r in version.rules.order_by("position").prefetch_related(
        ref_codes, Prefetch("conditions", queryset=RiskRuleCondition.objects.select_related("question").order_by("id"))
    ):
        when = [
            {"question": c.question.code, "values": sorted(c.values)}
            if c.question_id
            else {"context": c.context_key, "values": sorted(c.values)}
            for c in r.conditions.all()
        ]
        rules.append({"code": r.code, "risk": r.risk_level, "when": when, **flag(r)})
    statements = {
        key: [
            {"code": s.code, "text": s.text, "references": codes(s)}
            for s in model.objects.filter(version=version).order_by("position").prefetch_related(ref_codes)
        ]
        for model, key in ((KeyFact, "key_facts"), (Acknowledgement, "acknowledgements"))
    }
    return {"sections": sections, "rules": rules, **statements}


def _retire_published(*, except_pk: int | None = None) -> None:
    # A status change is the one edit a published version allows, so it bypasses save().
    ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).exclude(pk=except_pk).update(
        status=ChecklistVersion.Status.RETIRED
    )


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


@transaction.atomic
def checklist_version_copy(*, version: ChecklistVersion, change_notes: str = "") -> ChecklistVersion:
    """Copy a version, with all its content, into a new editable draft with the next number."""
    next_number = (ChecklistVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ChecklistVersion.objects.create(
        number=next_number, change_notes=change_notes or f"Copied from v{version.number}."
    )
    refs = {r.code: r for r in Reference.objects.all()}
    _build_version_content(draft, checklist_version_export(version), refs)
    return draft


class ContentConflict(Exception):
    """The content file and a published version of the same number disagree."""


@transaction.atomic
def checklist_content_load(*, content: dict) -> LoadReport:
    """Install canonical content (from ``content_schema.load_content_file``). Idempotent.

    The reference library and jurisdictions are updated in place. The version is created and
    published if new; left alone if the database already holds the same content; rebuilt if it
    is still a draft; and refused if it was published with different content, because a
    published version never changes: give the file a new version number instead.
    """
    report = LoadReport(version_number=content["version"], version_action="unchanged")
    refs = _sync_library(content, report)
    part = version_part(content)
    version = ChecklistVersion.objects.filter(number=content["version"]).first()
    if version is not None and checklist_version_export(version) == part:
        return report
    if version is not None and version.status != ChecklistVersion.Status.DRAFT:
        raise ContentConflict(
            f"Checklist v{version.number} is {version.status} and differs from the content file. "
            "Published versions never change: give the file a new version number."
        )
    if version is not None:
        version.sections.all().delete()
        version.rules.all().delete()
        version.key_facts.all().delete()
        version.acknowledgements.all().delete()
        report.version_action = "replaced draft"
    else:
        version = ChecklistVersion.objects.create(number=content["version"], change_notes=content["change_notes"])
        report.version_action = "created"
    _build_version_content(version, part, refs)
    current = ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).first()
    if current is None or current.number < version.number:
        checklist_version_publish(version=version)
    return report
