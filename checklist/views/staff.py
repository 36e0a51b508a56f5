"""Clinic admins manage their own clinic's staff and read its audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from checklist.audit import audit_chain_verify
from checklist.models import AuditEvent
from checklist.permissions import clinic_member_required
from clinic.forms import StaffCreateForm, StaffUpdateForm
from clinic.models import Membership
from clinic.services import second_factor_reset, staff_member_create, staff_member_update


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required(admin=True)
def staff_list(request):
    form = StaffCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            membership = staff_member_create(clinic=request.clinic, actor=request.user, **form.cleaned_data)
            messages.success(request, _("%(user)s can now sign in.") % {"user": membership.user.get_username()})
            return redirect("checklist:staff")
        status = 400
    members = (
        Membership.objects.filter(clinic=request.clinic)
        .select_related("user")
        .annotate(
            second_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)),
        )
        .order_by("user__username")
    )
    return render(request, "checklist/staff_list.html", {"form": form, "members": members}, status=status)


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
    return redirect("checklist:staff")


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
    return redirect("checklist:staff")


@require_safe
@clinic_member_required(admin=True)
def audit_log_view(request):
    events = AuditEvent.objects.filter(clinic=request.clinic).select_related("actor", "screening")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    chain = audit_chain_verify(clinic_id=request.clinic.pk)
    return render(request, "checklist/audit_log.html", {"page": page, "chain": chain})
