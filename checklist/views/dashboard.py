from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from checklist.forms import DashboardFilterForm
from checklist.models import Screening, ScreeningNamePrefix
from checklist.models.screenings import name_search_terms
from checklist.permissions import clinic_member_required
from checklist.selectors import screenings_for_clinic

# What a screening reference looks like (models.screenings.new_screening_reference), in any case.
_REFERENCE = re.compile(r"EXO-[0-9A-Z]{4}-[0-9A-Z]{4}", re.IGNORECASE)
# Beyond this, a page number is a typo or a probe, not a clinician paging back through years.
_MAX_PAGE = 10_000


@dataclass(frozen=True)
class ListPage:
    """One page of a newest-first list, with Newer/Older links but no total.

    Counting every matching row (as Django's Paginator does) costs as much as the clinic has
    records; fetching one row more than a page tells whether an older page exists.
    """

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), _MAX_PAGE)


def _search(clinic, query: str) -> Q:
    """A whole reference is looked up through its unique index; anything else is the start of
    words of the patient's name ("jor ave" finds Jordan Avery) or the clinic's record number.
    Every lookup is an indexed equality, so search costs the same whatever the clinic's size.

    The conditions are subqueries scoped to the clinic. The caller must not add the clinic
    condition again: SQLite would then walk all the clinic's rows by date instead of the few
    that match.
    """
    if _REFERENCE.fullmatch(query):
        return Q(clinic=clinic, reference=query.upper())
    matches = Q(pk__in=Screening.objects.filter(clinic=clinic, patient_reference=query).values("pk"))
    terms = name_search_terms(query)
    if terms:
        by_name = Q()
        for term in terms:
            by_name &= Q(pk__in=ScreeningNamePrefix.objects.filter(clinic=clinic, prefix=term).values("screening_id"))
        matches |= by_name
    return matches


@require_safe
@clinic_member_required
def dashboard(request):
    """The clinic's screenings, newest first, with search and filters."""
    form = DashboardFilterForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    # With a search, the clinic-scoped search conditions select the rows (see _search).
    screenings = (
        (Screening.objects.filter(_search(request.clinic, query)) if query else screenings_for_clinic(request.clinic))
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
        if form.cleaned_data["status"]:
            screenings = screenings.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["risk"]:
            screenings = screenings.filter(overall_risk=form.cleaned_data["risk"])
    screenings = screenings.order_by("-created_at", "-pk")
    number = _page_number(request.GET.get("page"))
    size = settings.SCREENINGS_PER_PAGE
    rows = list(screenings[(number - 1) * size : number * size + 1])
    page = ListPage(object_list=rows[:size], number=number, has_next=len(rows) > size)
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
