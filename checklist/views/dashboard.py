from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from checklist.forms import DashboardFilterForm
from checklist.models import Screening
from checklist.permissions import clinic_member_required
from checklist.selectors import (
    ScreeningKey,
    screening_awaiting_signature_count,
    screening_list_progress,
    screening_search,
    screenings_to_reconsent,
)
from dossiers.selectors import dossiers_with_red_flags

# Beyond this, a page number is a typo or a probe, not a clinician paging back through years.
_MAX_PAGE = 10_000
# The parameters that say which page; every other one (search and filters) carries over.
_PAGING = ("page", "after", "before")


@dataclass(frozen=True)
class ListPage:
    """One page of a newest-first list, with Newer/Older links but no total.

    Counting every matching row (as Django's Paginator does) costs as much as the clinic has
    records; fetching one row more than a page tells whether an older page exists. The links
    carry the key of the row they continue from (see ``ScreeningKey``), so the last page costs
    what the first does.
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

    @property
    def older_key(self) -> str:
        return ScreeningKey.of(self.object_list[-1]).token if self.object_list else ""

    @property
    def newer_key(self) -> str:
        """Empty when the newer page is the first, which is simply the newest rows."""
        if self.previous_page_number <= 1 or not self.object_list:
            return ""
        return ScreeningKey.of(self.object_list[0]).token


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), _MAX_PAGE)


@require_safe
@clinic_member_required
def dashboard(request):
    """The clinic's screenings, newest first, with search and filters."""
    form = DashboardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    number = _page_number(request.GET.get("page"))
    after = ScreeningKey.parse(request.GET.get("after"))
    before = None if after else ScreeningKey.parse(request.GET.get("before"))
    size = settings.SCREENINGS_PER_PAGE
    search = partial(
        screening_search,
        clinic=request.clinic,
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        risk=filters.get("risk", ""),
        limit=size + 1,
    )
    # A page number without a key (typed, or an old bookmark) still finds its page.
    rows = search(after=after, before=before, offset=0 if after or before else (number - 1) * size)
    if before is not None and len(rows) <= size:
        # No page newer than the one asked for: that is the first page, the newest rows.
        number, before, rows = 1, None, search()
    if before is not None:
        # Newer rows, newest first: the extra one at the top says a still newer page exists.
        page = ListPage(object_list=rows[-size:], number=max(number, 2), has_next=True)
    else:
        page = ListPage(object_list=rows[:size], number=number, has_next=len(rows) > size)
    progress = screening_list_progress(page.object_list)
    query_without_page = request.GET.copy()
    for name in _PAGING:
        query_without_page.pop(name, None)
    return render(
        request,
        "checklist/dashboard.html",
        {
            "form": form,
            "page": page,
            "rows": [(screening, progress.get(screening.pk)) for screening in page.object_list],
            "awaiting_signature": Screening.Status.AWAITING_SIGNATURE,
            "awaiting_count": screening_awaiting_signature_count(request.clinic),
            "reconsent_count": screenings_to_reconsent(request.clinic).count(),
            "status_filter": filters.get("status", ""),
            "filtered": bool(form.is_valid() and any(form.cleaned_data.values())),
            "query_string": query_without_page.urlencode(),
            "dossier_red_flags": dossiers_with_red_flags(request.clinic),
        },
    )
