"""After a signed "go ahead": the treatment day's time-out, and recording a withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from checklist.audit_text import person_name
from checklist.forms_treatment_day import TimeOutForm, WithdrawalForm, time_out_item_labels
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.selectors import screening_signed_record
from checklist.services.treatment_day import (
    consent_withdraw,
    screened_lot,
    time_out_refusal,
    treatment_time_out_confirm,
    withdrawal_refusal,
)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_time_out(request, screening_id):
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    record = screening_signed_record(screening)
    lot = screened_lot(screening, record)
    labels = time_out_item_labels(
        screening,
        lot.lot,
        date_format(lot.expiry, "j F Y") if lot.expiry else "",
        person_name(request.user),
    )
    refusal = time_out_refusal(screening, record=record)
    form = TimeOutForm(request.POST or None, labels=labels)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal:
            messages.error(request, refusal)
            return redirect("checklist:screening-detail", screening.pk)
        if form.is_valid():
            try:
                treatment_time_out_confirm(
                    screening=screening,
                    user=request.user,
                    confirmed=form.confirmed,
                    lot_number=form.cleaned_data["lot_number"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The time-out is recorded. The treatment may go ahead."))
                return redirect("checklist:screening-detail", screening.pk)
    context = {"screening": screening, "form": form, "refusal": refusal}
    return render(request, "checklist/screening_time_out.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_withdraw(request, screening_id):
    screening = get_screening_for_user(request, screening_id, with_clinician=True)
    refusal = withdrawal_refusal(screening)
    form = WithdrawalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if refusal:
            messages.error(request, refusal)
            return redirect("checklist:screening-detail", screening.pk)
        if form.is_valid():
            try:
                consent_withdraw(
                    screening=screening,
                    user=request.user,
                    withdrawn_at=form.cleaned_data["withdrawn_at"],
                    how=form.cleaned_data["how"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The withdrawal is recorded. The signed record is kept as it was."))
                return redirect("checklist:screening-detail", screening.pk)
    context = {"screening": screening, "form": form, "refusal": refusal}
    return render(request, "checklist/screening_withdraw.html", context, status=status)
