"""One door for permissions: who is signed in, for which clinic, and which screenings they may see.

Every view that touches a screening fetches it through :func:`get_screening_for_user`, so a
record of another clinic is a 404 (not a 403, which would confirm that it exists).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from checklist.models import Screening
from clinic.models import Membership


def membership_of(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership  # loaded with the user (clinic.auth_backends)
    except Membership.DoesNotExist:
        return None


def clinic_member_required(view=None, *, admin: bool = False):
    """Require a signed-in member of a clinic (a clinic admin with ``admin=True``).

    Sets ``request.membership`` and ``request.clinic`` for the view.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_of(request.user)
            if membership is None:
                raise PermissionDenied("This account is not a member of a clinic.")
            if admin and not membership.is_admin:
                raise PermissionDenied("Only a clinic admin can do this.")
            request.membership = membership
            request.clinic = membership.clinic
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def get_screening_for_user(request, screening_id, *, write: bool = False, with_clinician: bool = False) -> Screening:
    """The screening with this id, if it belongs to the user's clinic; otherwise 404.

    With ``write=True`` the screening must also still be editable (a draft); a signed or voided
    one answers 403 with a clear reason. ``with_clinician=True`` loads the clinician in the same
    query, for pages that show who ran the screening.
    """
    clinic = getattr(request, "clinic", None)
    if clinic is None:
        raise Http404
    # ``dossier_use`` (a left join): most screenings are typed in full, and their pages then learn
    # that without a query of their own (``dossiers.selectors.screening_dossier_of``).
    related: tuple[str, ...] = ("jurisdiction", "version", "dossier_use")
    if with_clinician:
        related += ("clinician",)
    try:
        screening = Screening.objects.select_related(*related).get(pk=screening_id, clinic_id=clinic.pk)
    except (Screening.DoesNotExist, ValueError) as exc:
        raise Http404("No such screening in your clinic.") from exc
    screening.clinic = clinic  # the request's own copy: no second fetch
    if write and screening.is_locked:
        raise PermissionDenied("This screening is signed or voided; it can no longer change.")
    return screening
