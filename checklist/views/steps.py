"""The question steps, the review and the consent: the heart of the clinician's workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from checklist.forms import ConsentForm, SectionAnswersForm, answer_field_name
from checklist.models import ScreeningLocked
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.question_cards import question_cards
from checklist.risk import evaluate, missing_required, visible_question_codes
from checklist.selectors import checklist_spec
from checklist.services.screenings import (
    AnswerInput,
    StaleScreening,
    screening_answers_save,
    screening_answers_with_notes,
    screening_sign,
)
from checklist.signatures import signature_data_url
from checklist.steps import progress_at, screening_steps


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_step(request, screening_id, section_code):
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    spec = checklist_spec(screening.version)
    section = spec.sections_by_code.get(section_code)
    if section is None:
        raise Http404("No such step.")
    values, notes = screening_answers_with_notes(screening)
    visible_before = visible_question_codes(spec, values)
    # A GET needs no form object: the cards are drawn from the stored answers (see question_cards).
    form = (
        SectionAnswersForm(request.POST, section=section, answers=values, notes=notes)
        if request.method == "POST"
        else None
    )
    unsaved: list[tuple[str, Any]] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                screening, _assessment = screening_answers_save(
                    screening=screening,
                    section_code=section.code,
                    answers={code: AnswerInput(v, n) for code, (v, n) in form.answers().items()},
                    user=request.user,
                    expected_lock_version=form.cleaned_data["lock_version"],
                )
            except StaleScreening:
                unsaved = [
                    (q.prompt, _display(q, form.cleaned_data.get(answer_field_name(q.code)))) for q in section.questions
                ]
                messages.warning(
                    request,
                    _(
                        "Someone else saved this screening while you were working. Here are the latest answers; "
                        "your entries were not saved and are listed below so you can re-enter them."
                    ),
                )
                values, notes = screening_answers_with_notes(screening)
                screening.refresh_from_db()
                form = None
                status = 409
            except ValidationError as exc:
                for code, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(answer_field_name(code) if code else None, errors)
                status = 400
            else:
                return _after_save(request, screening, spec, section, visible_before)
        else:
            status = 400
    steps = screening_steps(screening, spec, values)
    visible = visible_question_codes(spec, values)
    assessment = evaluate(spec, values, screening.risk_context())
    return render(
        request,
        "checklist/screening_step.html",
        {
            "screening": screening,
            "section": section,
            "form": form,
            "cards": question_cards(
                section, values=values, notes=notes, visible=visible, assessment=assessment, form=form
            ),
            "section_findings": assessment.for_section(section.code),
            "progress": progress_at(steps, section.code),
            "unsaved": unsaved,
        },
        status=status,
    )


def _after_save(request, screening, spec, section, visible_before):
    values, _notes = screening_answers_with_notes(screening)
    steps = screening_steps(screening, spec, values)
    progress = progress_at(steps, section.code)
    if "save_exit" in request.POST:
        messages.success(request, _("Saved. You can continue this screening later from the list."))
        return redirect("checklist:dashboard")
    if "back" in request.POST and progress.previous:
        messages.success(request, _("Saved."))
        return redirect(progress.previous.url)
    newly_shown = [
        q
        for q in section.questions
        if q.code in visible_question_codes(spec, values) and q.code not in visible_before and q.code not in values
    ]
    if newly_shown:
        messages.info(request, _("Saved. Your answers opened more questions on this page; please answer them."))
        return redirect(progress.current.url)
    messages.success(request, _("Saved."))
    return redirect(progress.next.url if progress.next else progress.current.url)


@require_safe
@clinic_member_required
def screening_review(request, screening_id):
    screening = get_screening_for_user(request, screening_id)
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    spec = checklist_spec(screening.version)
    values, notes = screening_answers_with_notes(screening)
    visible = visible_question_codes(spec, values)
    assessment = evaluate(spec, values, screening.risk_context())
    sections = [
        {
            "spec": section,
            "url": progress_at(screening_steps(screening, spec, values), section.code).current.url,
            "rows": [
                {"question": q, "answer": _display(q, values.get(q.code)), "note": notes.get(q.code, "")}
                for q in section.questions
                if q.code in visible
            ],
        }
        for section in spec.sections
    ]
    steps = screening_steps(screening, spec, values)
    return render(
        request,
        "checklist/screening_review.html",
        {
            "screening": screening,
            "assessment": assessment,
            "sections": sections,
            "missing": missing_required(spec, values),
            "progress": progress_at(steps, "review"),
        },
    )


def _display(question, value) -> str:
    if value in (None, "", []):
        return ""
    if question.choices:
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(question.choices_by_value[v].label for v in chosen if v in question.choices_by_value)
    return str(value)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_consent(request, screening_id):
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    spec = checklist_spec(screening.version)
    values, _notes = screening_answers_with_notes(screening)
    missing = missing_required(spec, values)
    if missing:
        messages.warning(
            request, _("Answer every required question before the consent (%(n)d left).") % {"n": len(missing)}
        )
        return redirect("checklist:screening-review", screening.pk)
    form = ConsentForm(
        request.POST or None,
        acknowledgements=[(a.code, a.text) for a in spec.acknowledgements],
        request=request,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                screening = screening_sign(
                    screening=screening,
                    acknowledged=form.cleaned_data["acknowledgements"],
                    decision=form.cleaned_data["decision"],
                    patient_signed_name=form.cleaned_data["patient_signed_name"],
                    signature_png=form.cleaned_data["signature"],
                    attested_by=request.user,
                )
            except ScreeningLocked:
                messages.info(request, _("This screening was already signed."))
                return redirect("checklist:screening-detail", screening.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _("Signed. The take-home PDF is being prepared and appears below."))
                return redirect("checklist:screening-detail", screening.pk)
        else:
            status = 400
    assessment = evaluate(spec, values, screening.risk_context())
    signature = form.cleaned_data.get("signature") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(
        request,
        "checklist/screening_consent.html",
        {
            "screening": screening,
            "assessment": assessment,
            "key_facts": spec.key_facts,
            "form": form,
            "signature_preview": signature_data_url(signature) if signature else "",
            "progress": progress_at(screening_steps(screening, spec, values), "consent"),
        },
        status=status,
    )
