"""The workflow's pages: each URL opens one step of the screening's flow (``checklist.steps``).

The opening is the same for every step, so it is written once: the screening of the user's
clinic (a draft, for a POST), a signed or voided one sent to its overview, then the step.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from checklist.models import Screening
from checklist.permissions import clinic_member_required, get_screening_for_user
from checklist.selectors import screening_retired_version_state
from checklist.steps import FIXED_STEPS, ScreeningFlow


def _closed(request: HttpRequest, screening: Screening) -> HttpResponse | None:
    """Where a step cannot open: a signed or voided screening, or a draft under a retired version
    whose grace period ran out (its overview offers the move to the published version)."""
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    state = screening_retired_version_state(screening)
    if state is not None and state.must_move:
        messages.error(
            request,
            _(
                "This screening was started under checklist v%(old)s, which is retired, and the clinic's time to "
                "finish it under v%(old)s ran out on %(date)s. Move it to the published version to go on."
            )
            % {"old": state.version_number, "date": date_format(state.finish_by, "j M Y")},
        )
        return redirect("checklist:screening-detail", screening.pk)
    return None


def _open_step(request: HttpRequest, screening_id, identifier: str) -> HttpResponse:
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    closed = _closed(request, screening)
    if closed is not None:
        return closed
    return ScreeningFlow(screening).step(identifier).handle(request)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_details(request, screening_id):
    return _open_step(request, screening_id, "details")


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_step(request, screening_id, section_code):
    if section_code in FIXED_STEPS:
        return _open_step(request, screening_id, "")  # not a section: 404 like any unknown code
    return _open_step(request, screening_id, section_code)


@require_safe
@clinic_member_required
def screening_review(request, screening_id):
    return _open_step(request, screening_id, "review")


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_flags(request, screening_id):
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    closed = _closed(request, screening)
    if closed is not None:
        return closed
    flow = ScreeningFlow(screening)
    if not flow.assessment.red_flags:
        # An old link, or the answers changed since: nothing to resolve, so on to the review.
        messages.info(request, _("These answers raise no red flag: there is nothing to resolve."))
        return redirect(flow.step("review").url)
    return flow.step("flags").handle(request)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_teach_back(request, screening_id):
    screening = get_screening_for_user(request, screening_id, write=request.method == "POST")
    if screening.is_locked:
        return redirect("checklist:screening-detail", screening.pk)
    flow = ScreeningFlow(screening)
    if not flow.teach_back.applies:
        # This version asks no teach-back questions: on to the consent.
        return redirect(flow.step("consent").url)
    return flow.step("teach-back").handle(request)


@require_http_methods(["GET", "HEAD", "POST"])
@clinic_member_required
def screening_consent(request, screening_id):
    return _open_step(request, screening_id, "consent")
