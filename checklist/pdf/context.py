"""What the PDF shows, built from a screening's record alone (``checklist.records``), in the
order it shows it, so that citations number in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint.urls import path2url

from checklist.key_information import screening_key_information
from checklist.models import Decision, Screening
from checklist.pdf.fetcher import LOGO_TYPES
from checklist.pdf.page_one import (
    accepted_risks,
    key_information_context,
    red_flag_rows,
    resolution_text,
    who_to_call,
)
from checklist.records import ScreeningRecord, SigningRecord
from checklist.signatures import signature_data_url
from checklist.spec import QuestionSpec, ReferenceSpec
from checklist.teach_back import tries_text
from checklist.vocabulary import AnswerType, Level

TEMPLATE = "pdf/consent.html"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def verification_url(code: str) -> str:
    """The public page where anyone holding the document can check it, as the QR code links."""
    base = getattr(settings, "EXOSAFE_PUBLIC_URL", DEFAULT_PUBLIC_URL) or DEFAULT_PUBLIC_URL
    return base.rstrip("/") + reverse("checklist:verify-code", kwargs={"code": code})


def verification_qr_svg(url: str) -> str:
    """An inline SVG QR code for ``url`` (no fetch: it is part of the HTML)."""
    qr = segno.make(url, error="m", micro=False)
    # The <title> becomes the figure's alternative text in the tagged PDF.
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, title=_("QR code linking to %(url)s") % {"url": url})
    return svg.replace('class="segno"', 'class="qr" role="img"', 1)


def signature_columns(*, cosigned: bool, companions: list[dict[str, str]]) -> list[list[dict[str, Any]]]:
    """The record's signatures in two columns, in reading order: the patient's (or representative's)
    on the left, the clinician's on the right, then a co-signature and any interpreter or witness,
    the first under the clinician's (the shorter box) and the rest in turn. Side by side, two
    boxes a row left the space under a short one empty."""
    columns: list[list[dict[str, Any]]] = [[{"kind": "patient"}], [{"kind": "clinician"}]]
    extras: list[dict[str, Any]] = [{"kind": "cosigner"}] if cosigned else []
    extras += [{"kind": "companion", "person": person} for person in companions]
    for index, extra in enumerate(extras):
        columns[1 - index % 2].append(extra)
    return columns


# About how many characters of a reference fill one line of its column (7.3pt type, half the
# page's width), and how many its longest "accessed" date adds: enough to split the list into two
# columns of about the same height.
REFERENCE_LINE_CHARS = 62
ACCESSED_CHARS = len(" (accessed 30 September 2026)")


def _reference_lines(entry: dict[str, Any]) -> int:
    """About how many lines a reference takes in its column: what the split balances."""
    parts = [entry.get(key) for key in ("title", "publisher", "date", "url")]
    chars = sum(len(str(part)) + 2 for part in parts if part)
    return 1 + (chars + (ACCESSED_CHARS if entry.get("accessed_date") else 0)) // REFERENCE_LINE_CHARS


def reference_columns(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The numbered references in two columns read top to bottom, split where the two estimated
    heights come closest. WeasyPrint balances CSS columns by laying the list out again and
    again, a third of a document's render time; two lists side by side are laid out once."""
    lines = [_reference_lines(e) for e in entries]
    total = sum(lines)
    best, split, above = total, len(entries), 0
    for index, n in enumerate(lines):
        if max(above, total - above) < best:
            best, split = max(above, total - above), index
        above += n
    return [entries[:split], entries[split:]]


@dataclass
class _Citations:
    """References numbered in order of first citation, as the document shows them."""

    known: Mapping[str, ReferenceSpec]
    numbers: dict[str, int] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    def cite(self, refs: Iterable[str | ReferenceSpec]) -> list[int]:
        cited = []
        for ref in refs or ():
            details = ref if isinstance(ref, ReferenceSpec) else self.known.get(ref) or ReferenceSpec(ref, ref)
            code = details.code
            if code not in self.numbers:
                self.numbers[code] = len(self.entries) + 1
                self.entries.append(
                    {
                        "number": self.numbers[code],
                        "title": details.title or code,
                        "publisher": details.publisher,
                        "date": details.date,
                        "url": details.url if details.url.startswith("https://") else "",
                        "accessed_date": _parse_date(details.accessed) if details.accessed else None,
                    }
                )
            if self.numbers[code] not in cited:
                cited.append(self.numbers[code])
        return sorted(cited)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _full_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _logo(clinic) -> tuple[str, list[Path]]:
    """The clinic's logo as a file URL, and the file the fetcher may serve for it."""
    logo = getattr(clinic, "logo", None)
    if not logo:
        return "", []
    try:
        path = Path(logo.path)
    except (NotImplementedError, ValueError):  # storage without local paths
        return "", []
    if not path.is_file() or path.suffix.lower() not in LOGO_TYPES:
        return "", []
    return path2url(path), [path]


def _answer_text(record: ScreeningRecord, question: QuestionSpec) -> str:
    answer = record.answers.get(question.code)
    if answer is not None and question.answer_type == AnswerType.DATE and (day := _parse_date(answer.value)):
        return date_format(day, "j F Y")
    return record.answer_text(question)


def teach_back_rows(record: ScreeningRecord) -> list[dict[str, Any]]:
    """Each teach-back question as asked, with the patient's first answer and the final one."""
    return [
        {
            "prompt": row.prompt,
            "first": row.first_answer,
            "final": row.final_answer,
            "first_right": row.first_right,
            "final_right": row.final_right,
            "how": tries_text(row) if row.final_right else "",
        }
        for row in record.teach_back
    ]


_SCOPE_NAMES = {"product": _("Product"), "lot": _("Lot"), "clinic": _("Clinic")}


def dossier_rows(record: ScreeningRecord) -> dict[str, Any] | None:
    """The clinic's records the answers came from: each dossier with who reviewed it and when, the
    product's and lot's documents by name and date, and the answers changed for this patient."""
    if record.dossier is None:
        return None
    questions = record.checklist.questions_by_code
    return {
        "sources": [
            {
                "scope": s.scope,
                "kind": _SCOPE_NAMES.get(s.scope, s.scope),
                "title": s.title,
                "revision": s.revision,
                "reviewed_by": s.reviewed_by,
                "reviewed_on": _parse_date(s.reviewed_on),
                "answers": len([c for c in s.question_codes if c in record.answers]),
                "documents": [{"title": d.title, "date": _parse_date(d.uploaded_on)} for d in s.documents],
            }
            for s in record.dossier.sources
        ],
        "overrides": [
            {
                "question": (questions[o.question_code].patient_text or questions[o.question_code].prompt)
                if o.question_code in questions
                else o.question_code,
                "dossier_answer": o.dossier_answer,
                "answer": record.answer_text(questions[o.question_code]) if o.question_code in questions else "",
                "note": o.note,
                "by": o.by,
            }
            for o in record.dossier.overrides
        ],
    }


def _reflection(record: ScreeningRecord, screening: Screening, *, draft: bool) -> dict[str, Any] | None:
    """The time to reflect kept at signing, for a "go ahead": how long, and the earliest treatment."""
    if draft or record.reflection is None or screening.decision != Decision.PROCEED:
        return None
    return {"hours": record.reflection.hours, "earliest": _local(record.reflection.earliest)}


def build_context(screening: Screening, *, record: ScreeningRecord, draft: bool) -> dict[str, Any]:
    """Everything the template shows, in the order it shows it (so citations number in order).

    The checklist's words come from ``record`` alone (for a signed screening, the record frozen at
    signing), so a signed document reads the same however the content rows change later.
    """
    checklist = record.checklist
    citations = _Citations(known=checklist.references)
    questions = checklist.questions_by_code
    assessment = record.assessment
    # Page 1 first, so that its citations are numbered first.
    key_info = key_information_context(screening_key_information(screening, record), citations.cite)
    red_flags = red_flag_rows(record, citations.cite)

    # One card per question and level: a multiple-choice answer can raise several flags of the
    # same kind, which read better together than as cards repeating the same question.
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    answer_levels: dict[str, Level] = {}
    for index, f in enumerate(assessment.findings):
        from_rule = f.code.startswith("rule.")
        question = questions.get(f.question_code or "") if not from_rule else None
        if question is not None and answer_levels.get(question.code) != Level.RED_FLAG:
            answer_levels[question.code] = f.level
        key = (f.level.code, f"q:{question.code}" if question is not None else f"f:{index}")
        group = groups.get(key)
        if group is None:
            section = checklist.sections_by_code.get(f.section_code or "")
            group = groups[key] = {
                "level": f.level.code,
                "level_label": f.level.label,
                "section": section.title if section else "",
                "asked": question.patient_text if question is not None else "",
                "answer": record.answer_text(question) if question is not None else "",
                "why": question.why if question is not None else "",
                "why_refs": citations.cite(question.references) if question is not None and question.why else [],
                "items": [],
            }
        decided = resolution_text(record.resolutions_by_code.get(f.code)) if f.level == Level.RED_FLAG else ""
        group["items"].append(
            {"found": f.patient_text, "ask": f.ask, "refs": citations.cite(f.references), "decided": decided}
        )
    findings = list(groups.values())

    key_facts = [{"text": k.text, "refs": citations.cite(k.references)} for k in checklist.key_facts]

    j = record.jurisdiction
    jurisdiction = {
        "code": j.code,
        "name": j.name,
        "regulator": j.regulator,
        "summary": j.summary,
        "no_approved_products": j.no_approved_products,
        "last_reviewed_date": _parse_date(j.last_reviewed),
        "refs": citations.cite(j.references),
        "report_name": j.report_name,
        "report_url": j.report_url if j.report_url.startswith(("https://", "http://")) else "",
        "report_phone": j.report_phone,
        "report_instructions": j.report_instructions,
    }

    answer_sections = [
        {
            "title": s.title,
            "questions": [
                {
                    "text": q.patient_text or q.prompt,
                    "answer": _answer_text(record, q),
                    "note": record.note(q),
                    "origin": record.dossier.origin(q.code) if record.dossier else "",
                    "override": record.dossier.overrides_by_code.get(q.code) if record.dossier else None,
                }
                for q in s.questions
                # A flagged answer is printed once, with its concern, not again in the table.
                if q.code not in answer_levels
            ],
        }
        for s in checklist.sections
        if any(q.code not in answer_levels for q in s.questions)
    ]

    acknowledgements = [
        {"text": a.text, "ticked": a.code in record.acknowledged, "refs": citations.cite(a.references)}
        for a in checklist.acknowledgements
    ]

    signed_at = None if draft else _local(screening.signed_at)
    prepared_at = signed_at or timezone.localtime()
    signature = ""
    if not draft and screening.signature_png:
        signature = signature_data_url(bytes(screening.signature_png))
    clinic = screening.clinic
    logo_url, logo_files = _logo(clinic)
    code = "" if draft else (screening.verification_code or "")
    verify_url = verification_url(code) if code else ""
    decision = ""
    if screening.decision and not draft:
        decision = str(Decision(screening.decision).label)

    signing = None if draft else record.signing
    if signing is None and not draft and screening.patient_signed_name:
        # Signed before the record kept who signed: the patient, under the typed name.
        signing = SigningRecord(signed_name=screening.patient_signed_name)

    companions = [
        {"role": c.role, "name": c.name, "language": c.language} for c in (signing.companions if signing else ())
    ]
    cosigned = bool(not draft and screening.cosigned_by_id)
    return {
        "draft": draft,
        "by_representative": bool(signing and signing.by_representative),
        "signature_columns": signature_columns(cosigned=cosigned, companions=companions),
        "representative_relationship": signing.relationship if signing else "",
        "companions": companions,
        "title": _("Exosome treatment: risk summary and consent record"),
        "doc_title": _("Risk summary and consent record %(reference)s") % {"reference": screening.reference},
        "created_iso": prepared_at.replace(microsecond=0).isoformat(),
        "prepared_at": prepared_at,
        "signed_at": signed_at,
        "reference": screening.reference,
        "version": record.checklist_version,
        "clinic": clinic,
        # One line in the letterhead: the address block beside the reference took two more lines.
        "clinic_address": ", ".join(line.strip() for line in clinic.address.splitlines() if line.strip()),
        "logo_url": logo_url,
        "logo_files": logo_files,
        "screening": screening,
        "risk": {
            "level": assessment.level.code,
            "level_label": assessment.level.label,
            "headline": assessment.headline,
            "summary": assessment.summary,
            "red_flags": len(assessment.red_flags),
            "cautions": len(assessment.cautions),
        },
        "findings": findings,
        "key_facts": key_facts,
        "jurisdiction": jurisdiction,
        "answer_sections": answer_sections,
        "acknowledgements": acknowledgements,
        "decision": decision,
        "decisions": [label for _value, label in Decision.choices],
        "patient_signed_name": signing.signed_name if signing else "",
        "signature_url": signature,
        "clinician_name": "" if draft else _full_name(screening.attested_by),
        "cosigner_name": "" if draft else _full_name(screening.cosigned_by),
        "cosigned_at": None if draft else _local(screening.cosigned_at),
        "key_info": key_info,
        "red_flags": red_flags,
        "who_to_call": who_to_call(record, clinic),
        "reflection": _reflection(record, screening, draft=draft),
        "accepted_risks": accepted_risks(record),
        "teach_back": teach_back_rows(record),
        "dossier": dossier_rows(record),
        "references": citations.entries,
        "reference_columns": reference_columns(citations.entries),
        "verification_code": code,
        "verification_url": verify_url,
        "qr_svg": mark_safe(verification_qr_svg(verify_url)) if verify_url else "",  # noqa: S308 - built here from our own URL
    }
