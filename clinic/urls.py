"""Top-level URLs: sign-in, the admin, and the checklist app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views_second_factor as second_factor
from clinic.forms import LoginForm
from clinic.second_factor import second_factor_exempt
from clinic.views import PasswordChangeView, SignOutView

# Both sign-in pages refuse an over-long username before it reaches authentication (and the
# lockout log, whose column is 255 characters): LoginForm here, AdminLoginForm on the admin site.

handler400 = "clinic.views.bad_request"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", second_factor_exempt(SignOutView.as_view()), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", second_factor.account, name="account"),
    path("accounts/code/", second_factor.code_verify, name="second-factor-verify"),
    path("accounts/second-factor/", second_factor.enrol, name="second-factor-enrol"),
    path("admin/", admin.site.urls),
    path("staff/", include("clinic.staff_urls")),
    path("dossiers/", include("dossiers.urls")),
    path("", include("checklist.urls")),
]
