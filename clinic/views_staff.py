"""Clinic admins manage their own clinic: its staff (add a member, change a role, reset a second
factor) and its settings (time to reflect, co-signing, the grace period under a retired checklist)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from checklist.permissions import clinic_member_required
from clinic.forms import ClinicSettingsForm, StaffCreateForm, StaffUpdateForm
from clinic.models import Clinic, Membership
from clinic.selectors import clinic_staff
from clinic.services import clinic_settings_update, second_factor_reset, staff_member_create, staff_member_update


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def staff_list(request):
    form = StaffCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            membership = staff_member_create(clinic=request.clinic, actor=request.user, **form.cleaned_data)
            messages.success(request, _("%(user)s can now sign in.") % {"user": membership.user.get_username()})
            return redirect("clinic:staff")
        status = 400
    members = clinic_staff(clinic=request.clinic)
    return render(request, "clinic/staff_list.html", {"form": form, "members": members}, status=status)


@require_POST
@clinic_member_required(admin=True)
def staff_update(request, membership_id):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, clinic=request.clinic)
    form = StaffUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role and whether the account is active."))
    elif membership.user_id == request.user.pk and (
        form.cleaned_data["role"] != Membership.Role.ADMIN or not form.cleaned_data["is_active"]
    ):
        messages.error(request, _("You cannot remove your own admin rights or deactivate yourself."))
    else:
        staff_member_update(membership=membership, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Saved changes to %(user)s.") % {"user": membership.user.get_username()})
    return redirect("clinic:staff")


@require_POST
@clinic_member_required(admin=True)
def staff_second_factor_reset(request, membership_id):
    """For a member who lost their phone: they set up a new authenticator at their next sign-in."""
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, clinic=request.clinic)
    second_factor_reset(user=membership.user, actor=request.user)
    messages.success(
        request,
        _("%(user)s's second factor is reset: they set up a new one when they next sign in.")
        % {"user": membership.user.get_username()},
    )
    return redirect("clinic:staff")


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def clinic_settings(request):
    # The form edits a copy: a refused form must not leave the request's clinic half-changed.
    form = ClinicSettingsForm(request.POST or None, instance=Clinic.objects.get(pk=request.clinic.pk))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changed = clinic_settings_update(clinic=request.clinic, actor=request.user, data=form.cleaned_data)
            if changed:
                messages.success(request, _("Saved the clinic's settings."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("clinic:settings")
        status = 400
    return render(request, "clinic/clinic_settings.html", {"form": form}, status=status)
