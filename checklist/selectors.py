"""Reads: the published checklist, a version compiled for the risk engine, a clinic's screenings."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from checklist.models import (
    Acknowledgement,
    ChecklistVersion,
    Choice,
    KeyFact,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Screening,
    Section,
    SignedPdfRender,
)
from checklist.risk import (
    ChecklistSpec,
    ChoiceSpec,
    ConditionSpec,
    Level,
    QuestionSpec,
    ReferenceSpec,
    RuleSpec,
    SectionSpec,
    StatementSpec,
)

_spec_cache: dict[tuple[int, str], ChecklistSpec] = {}
_spec_cache_lock = threading.Lock()


def checklist_version_published() -> ChecklistVersion | None:
    return ChecklistVersion.objects.filter(status=ChecklistVersion.Status.PUBLISHED).first()


def _ref_codes(obj) -> tuple[str, ...]:
    return tuple(r.code for r in obj.references.all())


def _compile(version: ChecklistVersion) -> ChecklistSpec:
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
    section_specs = []
    for section in sections:
        questions = tuple(
            QuestionSpec(
                code=q.code,
                section_code=section.code,
                answer_type=q.answer_type,
                prompt=q.prompt,
                patient_text=q.patient_text,
                why=q.why_it_matters,
                required=q.required,
                depends_on=q.depends_on.code if q.depends_on_id else None,
                depends_on_values=frozenset(q.depends_on_values or ()),
                choices=tuple(
                    ChoiceSpec(
                        value=c.value,
                        label=c.label,
                        level=Level.from_code(c.risk_level),
                        clinician_flag=c.clinician_flag,
                        patient_flag=c.patient_flag,
                        ask=c.ask,
                        references=_ref_codes(c),
                    )
                    for c in q.choices.all()
                ),
                references=_ref_codes(q),
            )
            for q in section.questions.all()
        )
        section_specs.append(
            SectionSpec(
                code=section.code,
                title=section.title,
                questions=questions,
                clinician_guidance=section.clinician_guidance,
                patient_intro=section.patient_intro,
            )
        )
    rules = (
        RiskRule.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(refs, Prefetch("conditions", queryset=RiskRuleCondition.objects.select_related("question")))
    )
    rule_specs = tuple(
        RuleSpec(
            code=r.code,
            level=Level.from_code(r.risk_level),
            conditions=tuple(
                ConditionSpec(
                    values=frozenset(c.values),
                    question=c.question.code if c.question_id else None,
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
        for r in Reference.objects.all()
    }
    return ChecklistSpec(
        version_number=version.number,
        sections=tuple(section_specs),
        rules=rule_specs,
        references=references,
        key_facts=statements[KeyFact],
        acknowledgements=statements[Acknowledgement],
    )


def checklist_spec(version: ChecklistVersion) -> ChecklistSpec:
    """The version as the risk engine sees it. Published and retired versions never change, so
    they are compiled once per process; a draft is compiled fresh every time."""
    if version.status == ChecklistVersion.Status.DRAFT or version.published_at is None:
        return _compile(version)
    key = (version.pk, version.published_at.isoformat())
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
