"""Account views that need more than Django's stock ones."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _


class SignOutView(auth_views.LogoutView):
    """Sign out and say so on the sign-in page, so whoever picks up a shared tablet next knows the
    previous session is closed."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response
