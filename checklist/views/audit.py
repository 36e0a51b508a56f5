"""The clinic admin's audit log of their clinic: each event in plain words, with filters, and
whether its hash chain verifies."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from checklist.audit import audit_chain_verify
from checklist.forms_audit import AuditFilterForm
from checklist.permissions import clinic_member_required
from checklist.selectors import audit_event_rows, audit_events_for_clinic

EVENTS_PER_PAGE = 50


@require_safe
@clinic_member_required(admin=True)
def audit_log_view(request):
    form = AuditFilterForm(request.GET or None, clinic=request.clinic)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_for_clinic(request.clinic, **filters)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_event_rows(request.clinic, page.object_list) if not form.errors else [],
        "filtered": any(filters.values()),
        "query_string": query.urlencode(),
        "chain": audit_chain_verify(clinic_id=request.clinic.pk),
    }
    return render(request, "checklist/audit_log.html", context)
