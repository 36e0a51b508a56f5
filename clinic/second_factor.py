"""Who must sign in with a second factor, and how a session remembers that it owes one.

Clinic admins, content editors (staff users) and superusers always need a verified second factor;
a clinician needs one only after choosing to enrol. The role is known from the user row and its
membership (loaded with the user), so the check costs no query; a clinician's enrolment is looked
up once, at sign-in, and kept in the session.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import user_has_device

OWES_CODE_SESSION_KEY = "second_factor_owed"


def second_factor_required(user) -> bool:
    """True for the people who may change staff, records' status or published content."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    try:
        return user.membership.is_admin
    except AttributeError:  # no membership: Membership.DoesNotExist is an AttributeError subclass
        return False


def second_factor_owed(request) -> bool:
    """Whether this signed-in session must still type a code (or enrol) before anything else."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return second_factor_required(user) or bool(request.session.get(OWES_CODE_SESSION_KEY))


def second_factor_exempt(view):
    """Mark a view that an unverified user may still reach: the code and enrolment pages, sign-out."""
    view.second_factor_exempt = True
    return view


@receiver(user_logged_in, dispatch_uid="clinic.second_factor.remember_enrolment")
def remember_enrolment(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[OWES_CODE_SESSION_KEY] = user_has_device(user)
