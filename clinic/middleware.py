"""Send a signed-in user who still owes a second factor to the code page before any other page."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from clinic.second_factor import second_factor_owed


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: an unverified admin, editor or enrolled clinician reaches only the
    views marked ``second_factor_exempt``; everything else (the app and the Django admin) answers a
    redirect to the code page, which sends them on to enrolment when they have no device yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False) or not second_factor_owed(request):
            return None
        return redirect_to_login(request.get_full_path(), reverse("second-factor-verify"))
