"""Top-level URLs: sign-in, the admin, and the checklist app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic.forms import AdminLoginForm, LoginForm
from clinic.views import PasswordChangeView, SignOutView

# Both sign-in pages refuse an over-long username before it reaches authentication (and the
# lockout log, whose column is 255 characters).
admin.site.login_form = AdminLoginForm

handler400 = "clinic.views.bad_request"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("", include("checklist.urls")),
]
