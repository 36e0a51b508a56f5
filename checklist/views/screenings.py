"""A screening's life outside the question steps: start it, correct its details, see it, void it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from checklist.forms import ScreeningDetailsForm, VoidForm
from checklist.history import screening_history
from checklist.key_information import screening_key_information
from checklist.models import Screening, ScreeningLocked
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.red_flags import go_ahead_check
from checklist.selectors import (
    checklist_spec,
    screening_answers,
    screening_record,
    screening_retired_version_state,
    screening_signed_record,
    screening_time_out,
    screening_withdrawal,
    screenings_to_reconsent,
    signed_pdf_status,
)
from checklist.services.screenings import (
    NoPublishedChecklist,
    screening_copy_for_correction,
    screening_start,
    screening_void,
)
from checklist.services.treatment_day import time_out_refusal, withdrawal_refusal
from checklist.services.version_moves import (
    VersionMoveRefused,
    screening_carry_over_plan,
    screening_move_to_published,
    screening_reconsent_start,
)
from checklist.steps import ScreeningFlow
from dossiers.forms import ScreeningDossierChoiceForm
from dossiers.services import screening_start_from_dossier


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_start_view(request):
    # A product and lot from the clinic's dossiers name the product and answer its questions.
    choice = ScreeningDossierChoiceForm(request.POST or None, clinic=request.clinic)
    lot = choice.cleaned_data["lot"] if request.method == "POST" and choice.is_valid() else None
    data = request.POST or None
    if lot is not None:
        data = request.POST.copy()
        data.update({"product_name": lot.product.name, "product_maker": lot.product.maker})
    form = ScreeningDetailsForm(data, clinic=request.clinic)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and choice.is_valid():
            try:
                if lot is not None:
                    screening = screening_start_from_dossier(
                        clinic=request.clinic, clinician=request.user, data=form.cleaned_data, lot=lot
                    )
                else:
                    screening = screening_start(clinic=request.clinic, clinician=request.user, data=form.cleaned_data)
            except NoPublishedChecklist as exc:
                messages.error(request, str(exc))
                status = 503
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Screening started for %(name)s.") % {"name": screening.patient_name})
                return redirect(ScreeningFlow(screening).resume_step().url)
    context = {"form": form, "dossier_form": choice if choice.has_lots else None}
    return render(request, "checklist/screening_start.html", context, status=status)


@require_safe
@clinic_member_required
def screening_detail(request, screening_id):
    """The screening's overview: where it stands, what to do next, and (for admins) its history."""
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    flow = ScreeningFlow(screening)
    record = screening_signed_record(screening)
    context: dict[str, Any] = {
        "screening": screening,
        "resume": None if screening.is_locked else flow.resume_step(),
        "record": record,
        "key_info": screening_key_information(screening, record or screening_record(screening)),
        "go_ahead": go_ahead_check(record.assessment.red_flags, record.resolutions_by_code) if record else None,
        "corrections": screening.corrections.only("id", "reference", "status", "created_at"),
        "pdf_status": signed_pdf_status(screening) if screening.is_locked else None,
        "withdrawal": screening_withdrawal(screening) if screening.is_locked else None,
        "time_out": screening_time_out(screening) if screening.is_locked else None,
        "reflection": record.reflection if record else None,
        "time_out_refusal": time_out_refusal(screening) if screening.is_signed else "",
        "withdrawal_refusal": withdrawal_refusal(screening) if screening.is_signed else "",
    }
    context.update(_version_context(screening))
    if request.membership.is_admin:
        context["history"] = screening_history(screening)
    return render(request, "checklist/screening_detail.html", context)


def _version_context(screening: Screening) -> dict[str, Any]:
    """A draft under a retired version: until when it may be finished so, and what a move to the
    published version would carry over and ask again. After a move or for a re-consent: the
    questions still to ask again."""
    context: dict[str, Any] = {"retired": screening_retired_version_state(screening)}
    if context["retired"] is not None and context["retired"].published_number is not None:
        context["move_plan"] = screening_carry_over_plan(screening)
    if screening.ask_again_codes and not screening.is_locked:
        answered = screening_answers(screening)
        spec = checklist_spec(screening.version)
        context["ask_again"] = [
            spec.questions_by_code[code]
            for code in screening.ask_again_codes
            if code in spec.questions_by_code and code not in answered
        ]
    return context


@require_POST
@clinic_member_required
def screening_move_view(request, screening_id):
    screening = get_screening_for_user(request, screening_id, write=True)
    try:
        plan = screening_move_to_published(screening=screening, user=request.user)
    except (VersionMoveRefused, ScreeningLocked) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Moved to the published checklist: %(carried)s answers carried over, %(again)s questions to ask again.")
            % {"carried": len(plan.carried), "again": len(plan.to_ask_codes)},
        )
    return redirect("checklist:screening-detail", screening.pk)


@require_POST
@clinic_member_required
def screening_reconsent_view(request, screening_id):
    screening = get_screening_for_user(request, screening_id)
    try:
        new = screening_reconsent_start(screening=screening, user=request.user)
    except VersionMoveRefused as exc:
        messages.error(request, str(exc))
        return redirect("checklist:screening-detail", screening.pk)
    messages.success(
        request,
        _("A new consent was started from %(ref)s with its answers filled in. Ask the questions listed again.")
        % {"ref": screening.reference},
    )
    return redirect("checklist:screening-detail", new.pk)


@require_safe
@clinic_member_required
def screenings_to_reconsent_view(request):
    """Patients who signed a "go ahead" under a retired checklist and are not treated yet."""
    return render(
        request, "checklist/screenings_reconsent.html", {"screenings": screenings_to_reconsent(request.clinic)[:200]}
    )


def _voidable_by_admin(request, screening_id):
    """The screening to void: one of the clinic's (else 404), and only for a clinic admin (else 403)."""
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    if not request.membership.is_admin:
        raise PermissionDenied(_("Only a clinic admin can void a signed screening."))
    return screening


def _refused_reason_key(screening) -> str:
    return f"void_reason_refused:{screening.pk}"


@require_safe
@clinic_member_required
def screening_void_confirm(request, screening_id):
    """The confirmation page: which patient and record, and why it is void. A reason that was
    refused comes back in the box, with the error, so nothing typed is lost."""
    screening = _voidable_by_admin(request, screening_id)
    if screening.status != Screening.Status.SIGNED:
        messages.info(request, _("Only a signed screening can be voided."))
        return redirect("checklist:screening-detail", screening.pk)
    refused = request.session.pop(_refused_reason_key(screening), None)
    form = VoidForm({"reason": refused}) if refused is not None else VoidForm()
    return render(request, "checklist/screening_void.html", {"screening": screening, "form": form})


@require_POST
@clinic_member_required
def screening_void_view(request, screening_id):
    screening = _voidable_by_admin(request, screening_id)
    form = VoidForm(request.POST)
    if not form.is_valid():
        request.session[_refused_reason_key(screening)] = request.POST.get("reason", "")[:10_000]
        messages.error(request, _("Say why this screening is void (up to 1000 characters, no control characters)."))
        return redirect("checklist:screening-void-confirm", screening.pk)
    try:
        screening_void(screening=screening, user=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, ScreeningLocked) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The screening is now void. The reason is kept with the record."))
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
