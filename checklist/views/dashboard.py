from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from checklist.forms import DashboardFilterForm
from checklist.permissions import clinic_member_required
from checklist.selectors import screenings_for_clinic


@require_safe
@clinic_member_required
def dashboard(request):
    """The clinic's screenings, newest first, with search and filters."""
    form = DashboardFilterForm(request.GET or None)
    screenings = (
        screenings_for_clinic(request.clinic)
        .select_related("clinician")
        .only(
            "id",
            "reference",
            "patient_name",
            "patient_reference",
            "product_name",
            "intended_use",
            "intended_use_other",
            "route",
            "route_other",
            "status",
            "overall_risk",
            "red_flag_count",
            "caution_count",
            "updated_at",
            "created_at",
            "clinician__username",
            "clinician__first_name",
            "clinician__last_name",
        )
    )
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            screenings = screenings.filter(
                Q(patient_name__icontains=query) | Q(reference__iexact=query) | Q(patient_reference__iexact=query)
            )
        if form.cleaned_data["status"]:
            screenings = screenings.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["risk"]:
            screenings = screenings.filter(overall_risk=form.cleaned_data["risk"])
    screenings = screenings.order_by("-created_at", "-pk")
    page = Paginator(screenings, settings.SCREENINGS_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "checklist/dashboard.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(form.is_valid() and any(form.cleaned_data.values())),
            "query_string": query_without_page.urlencode(),
        },
    )
