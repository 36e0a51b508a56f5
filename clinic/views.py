"""Account views that need more than Django's stock ones, and the 400 page."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from clinic.forms import PasswordChangeForm


class SignOutView(auth_views.LogoutView):
    """Sign out and say so on the sign-in page, so whoever picks up a shared tablet next knows the
    previous session is closed."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Wrong current passwords count towards the sign-in lockout. The guess that reaches the limit
    also ends the session, and AxesMiddleware answers with the lockout page, as at sign-in."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            logout(self.request)
        return super().form_invalid(form)


def bad_request_page(request):
    return render(request, "400.html", status=400)


def bad_request(request, exception):
    """The 400 handler. Django's own runs the CSRF check first, which reads the body again: a body
    that could not be read the first time then raised a second time and became a bare 500."""
    return bad_request_page(request)
