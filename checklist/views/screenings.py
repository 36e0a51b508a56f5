"""A screening's life outside the question steps: start it, correct its details, see it, void it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from checklist.forms import ScreeningDetailsForm, VoidForm
from checklist.history import screening_history
from checklist.models import ScreeningLocked
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.selectors import checklist_spec, signed_pdf_status
from checklist.services.screenings import (
    NoPublishedChecklist,
    screening_answers,
    screening_copy_for_correction,
    screening_details_update,
    screening_start,
    screening_void,
)
from checklist.steps import progress_at, resume_step, screening_steps


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_start_view(request):
    form = ScreeningDetailsForm(request.POST or None, clinic=request.clinic)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                screening = screening_start(clinic=request.clinic, clinician=request.user, data=form.cleaned_data)
            except NoPublishedChecklist as exc:
                messages.error(request, str(exc))
                status = 503
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Screening started for %(name)s.") % {"name": screening.patient_name})
                steps = screening_steps(screening, checklist_spec(screening.version), {})
                return redirect(resume_step(steps).url)
    return render(request, "checklist/screening_start.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_details(request, screening_id):
    """Step 1 of an existing draft: correct the patient and treatment details."""
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    form = ScreeningDetailsForm(request.POST or None, instance=screening, clinic=request.clinic)
    spec = checklist_spec(screening.version)
    steps = screening_steps(screening, spec, screening_answers(screening))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            screening_details_update(screening=screening, user=request.user, data=form.cleaned_data)
            messages.success(request, _("Details saved."))
            if "save_exit" in request.POST:
                return redirect("checklist:dashboard")
            return redirect(resume_step(steps).url)
        status = 400
    return render(
        request,
        "checklist/screening_details.html",
        {"form": form, "screening": screening, "progress": progress_at(steps, "details")},
        status=status,
    )


@require_safe
@clinic_member_required
def screening_detail(request, screening_id):
    """The screening's overview: where it stands, what to do next, and (for admins) its history."""
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    spec = checklist_spec(screening.version)
    answers = screening_answers(screening)
    steps = screening_steps(screening, spec, answers)
    context = {
        "screening": screening,
        "steps": steps,
        "resume": None if screening.is_locked else resume_step(steps),
        "void_form": VoidForm(),
        "snapshot": screening.findings_snapshot,
        "corrections": screening.corrections.only("id", "reference", "status", "created_at"),
        "pdf_status": signed_pdf_status(screening) if screening.is_locked else None,
    }
    if request.membership.is_admin:
        context["history"] = screening_history(screening)
    return render(request, "checklist/screening_detail.html", context)


@require_POST
@clinic_member_required
def screening_void_view(request, screening_id):
    screening = get_screening_for_user(request, screening_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            screening_void(screening=screening, user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, ScreeningLocked) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The screening is now void. The reason is kept with the record."))
    else:
        messages.error(request, _("Say why this screening is void (up to 1000 characters, no control characters)."))
    return redirect("checklist:screening-detail", screening.pk)


@require_POST
@clinic_member_required
def screening_correct_view(request, screening_id):
    screening = get_screening_for_user(request, screening_id)
    copy = screening_copy_for_correction(screening=screening, user=request.user)
    messages.success(
        request,
        _("A corrected copy was started from %(ref)s with its answers filled in. Check each step.")
        % {"ref": screening.reference},
    )
    return redirect("checklist:screening-details", copy.pk)
