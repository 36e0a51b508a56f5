"""The clinic admin's audit log of their clinic, with whether its hash chain verifies."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from checklist.audit import audit_chain_verify
from checklist.models import AuditEvent
from checklist.permissions import clinic_member_required


@require_safe
@clinic_member_required(admin=True)
def audit_log_view(request):
    events = AuditEvent.objects.filter(clinic=request.clinic).select_related("actor", "screening")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    chain = audit_chain_verify(clinic_id=request.clinic.pk)
    return render(request, "checklist/audit_log.html", {"page": page, "chain": chain})
