"""The admin site: staff users reach it only after a second factor has verified them."""

from __future__ import annotations

from django_otp.admin import OTPAdminSite

from clinic.forms import AdminLoginForm


class SecondFactorAdminSite(OTPAdminSite):
    """django-otp's admin site, under the usual ``admin`` name and with the usual sign-in page.

    The password is asked on Django's own sign-in page; the code comes next, on the app's code
    page (``clinic.middleware.SecondFactorMiddleware`` sends every unverified admin or editor
    there), so there is one place to type a code and one throttle.
    """

    login_form = AdminLoginForm
    login_template = None

    def __init__(self, name: str = "admin"):
        super().__init__(name)
