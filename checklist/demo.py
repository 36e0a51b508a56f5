"""Demo and test answer sets, derived from whatever checklist is published.

"risky" picks the most worrying answer to every question; "clean" picks an answer that raises
no flag wherever the checklist offers one. Deriving them from the checklist (rather than a
hand-kept list of codes) keeps demo data and tests valid when editors change the content.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from checklist.models import Decision, Jurisdiction, Screening
from checklist.risk import ChecklistSpec, Level, evaluate
from checklist.selectors import checklist_spec, screening_teach_back
from checklist.services.screenings import AnswerInput, screening_answers_save, screening_sign
from checklist.services.teach_back import screening_teach_back_answer
from clinic.models import Clinic, Membership

DEMO_CLINIC = "Harbourside Skin & Joint Clinic (demo)"
# What demo-editor may change in the admin: the checklist's content, nothing of the clinics'.
EDITOR_MODELS = (
    "checklistversion",
    "section",
    "question",
    "choice",
    "riskrule",
    "riskrulecondition",
    "acknowledgement",
    "keyfact",
    "reference",
    "jurisdiction",
    "jurisdictionrecord",
)
DEMO_TEXT = "Recorded from the product documents shown to the patient."
DEMO_DATE = "2026-01-15"
DEMO_CONTEXT = {
    "route": "topical",
    "intended_use": "skin",
    "jurisdiction": "US",
    "jurisdiction_bans_human_cosmetics": "no",
    "jurisdiction_no_approved_products": "yes",
}


def demo_answers(spec: ChecklistSpec, profile: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    context = context or DEMO_CONTEXT
    answers: dict[str, Any] = {}
    for question in spec.questions:
        if question.answer_type == "text":
            answers[question.code] = DEMO_TEXT
        elif question.answer_type == "date":
            answers[question.code] = DEMO_DATE
        elif profile == "risky":
            worst = max(question.choices, key=lambda c: c.level)
            if question.answer_type == "multiple":
                flagged = [c.value for c in question.choices if c.level > Level.NONE]
                answers[question.code] = flagged or [worst.value]
            else:
                answers[question.code] = worst.value
        else:
            answers[question.code] = _calmest_answer(spec, question, answers, context)
    return answers


def _calmest_answer(spec: ChecklistSpec, question, answers: dict[str, Any], context: dict[str, str]) -> Any:
    """The first answer that raises no flag by itself, preferring one that sets off no rule either."""
    candidates = sorted(question.choices, key=lambda c: c.level)
    wrap = (lambda v: [v]) if question.answer_type == "multiple" else (lambda v: v)
    baseline = len(evaluate(spec, answers, context).findings)
    for choice in candidates:
        if choice.level > candidates[0].level:
            break
        if len(evaluate(spec, {**answers, question.code: wrap(choice.value)}, context).findings) <= baseline:
            return wrap(choice.value)
    return wrap(candidates[0].value)


RISKY_ANSWERS = "risky"
CLEAN_ANSWERS = "clean"


def answer_all_sections(
    screening: Screening, profile: str, user, *, note: str = "", overrides: dict[str, Any] | None = None
) -> Screening:
    """Answer every section with a profile's answers, changed where ``overrides`` says (with ``note``)."""
    spec = checklist_spec(screening.version)
    answers = {**demo_answers(spec, profile, screening.risk_context()), **(overrides or {})}
    for section in spec.sections:
        screening, _ = screening_answers_save(
            screening=screening,
            section_code=section.code,
            answers={
                q.code: AnswerInput(answers[q.code], note if q.code in (overrides or {}) else "")
                for q in section.questions
            },
            user=user,
        )
    return screening


@functools.cache
def demo_signature_png(width: int = 600, height: int = 180) -> bytes:
    """A hand-drawn-looking signature line, as the signature pad would produce (drawn once: the
    same bytes every time)."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + x * 5, height / 2 + 35 * math.sin(x / 6.0) * math.exp(-x / 160) - x * 0.08) for x in range(0, 100)]
    draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
    draw.line([(60, height - 40), (width - 60, height - 44)], fill=(20, 30, 90, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def answer_teach_back(screening: Screening, user, *, wrong_first: Iterable[str] = ()) -> None:
    """Answer each teach-back question not yet right, rightly; those in ``wrong_first`` wrongly
    first (the first wrong choice), then rightly."""
    wrong = set(wrong_first)
    for state in screening_teach_back(screening).not_right:
        question = state.question
        if question.code in wrong and state.answer is None:
            wrong_choice = next(c for c in question.choices if not c.correct)
            screening_teach_back_answer(screening=screening, answers={question.code: wrong_choice.value}, user=user)
        screening_teach_back_answer(
            screening=screening, answers={question.code: question.right_choice.value}, user=user
        )


def sign_screening(
    screening: Screening,
    clinician,
    *,
    decision: str = Decision.WAIT,
    accepted_risks=(),
    cosigned_by=None,
    teach_back: bool = True,
    **signing: Any,
) -> Screening:
    """Sign with every statement ticked and the demo signature; by the patient unless ``signing``
    names a representative (``signer``, ``patient_signed_name``, ``representative_relationship``)
    or companions. Teach-back questions still open are answered right first, unless ``teach_back``
    is false."""
    spec = checklist_spec(screening.version)
    if teach_back and spec.teach_back:
        answer_teach_back(screening, clinician)
    return screening_sign(
        screening=screening,
        acknowledged=[a.code for a in spec.acknowledgements],
        decision=decision,
        signature_png=demo_signature_png(),
        attested_by=clinician,
        accepted_risks=accepted_risks,
        cosigned_by=cosigned_by,
        **{"patient_signed_name": screening.patient_name, **signing},
    )


def demo_start_data(**overrides: Any) -> dict[str, Any]:
    """What a clinician enters to start a screening: a typical skin treatment in the United States."""
    return {
        "patient_name": "Pat Example",
        "patient_dob": dt.date(1980, 5, 17),
        "patient_reference": "MRN-001",
        "patient_language": "English",
        "product_name": "GlowVesicle Serum",
        "product_maker": "Example Biologics",
        "intended_use": "skin",
        "route": "microneedling",
        "planned_date": dt.date(2026, 12, 1),
        "jurisdiction": Jurisdiction.objects.get(code="US"),
        **overrides,
    }


def demo_planned_date(days: int = 14) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)  # noqa: DTZ011 - a calendar date for demo data


@contextmanager
def demo_clock(*, hours_ago: float) -> Iterator[None]:
    """Run the block as if it were ``hours_ago`` hours earlier, for demo and test data only: a
    screening signed two days ago, whose time to reflect is over. Signed rows are frozen, so the
    past is written as it happens, never back-dated afterwards."""
    real_now = timezone.now
    offset = dt.timedelta(hours=hours_ago)
    with mock.patch("django.utils.timezone.now", lambda: real_now() - offset):
        yield


@transaction.atomic
def demo_people(password: str) -> tuple[Clinic, Any, Any, Any]:
    """The demo clinic with demo-clinician, demo-admin (clinic admin) and demo-editor (content
    editor, staff with the checklist's admin permissions only); each kept or created as it is.
    Returns (clinic, clinician, admin, editor)."""
    clinic, _ = Clinic.objects.get_or_create(
        name=DEMO_CLINIC,
        defaults={
            "address": "12 Quay Street\nPortsmouth, NH 03801\nUnited States",
            "phone": "+1 603 555 0142",
            "adverse_event_contact": "Nurse line +1 603 555 0143 (Mon-Fri 8am-6pm); out of hours, call 911 "
            "or go to the nearest emergency department.",
            "default_jurisdiction": Jurisdiction.objects.get(code="US"),
            "paper_size": "letter",
            "cosign_accepted_red_flags": True,
        },
    )
    clinician = _demo_user("demo-clinician", "Dana", "Reyes", password, clinic, Membership.Role.CLINICIAN)
    admin = _demo_user("demo-admin", "Sam", "Okafor", password, clinic, Membership.Role.ADMIN)
    editor = _demo_user("demo-editor", "Lee", "Content", password, None, None)
    if not editor.is_staff:
        editor.is_staff = True
        editor.save(update_fields=["is_staff"])
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="checklist", content_type__model__in=EDITOR_MODELS)
    )
    return clinic, clinician, admin, editor


def _demo_user(username: str, first: str, last: str, password: str, clinic: Clinic | None, role: str | None):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    if clinic is not None:
        Membership.objects.get_or_create(user=user, defaults={"clinic": clinic, "role": role})
    return user
