"""The second factor: enrolling an authenticator app, typing a code after the password, the account page."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.forms import CodeForm
from clinic.second_factor import OWES_CODE_SESSION_KEY, second_factor_exempt, second_factor_required
from clinic.services import (
    CodeThrottled,
    second_factor_check,
    second_factor_enrol_confirm,
    second_factor_enrol_start,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _throttled_message(exc: CodeThrottled) -> str:
    when = time_format(timezone.localtime(exc.locked_until), "H:i:s")
    return _("Too many wrong codes. Wait until %(time)s, then try again.") % {"time": when}


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@second_factor_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def enrol(request):
    """Scan the QR code (or type the secret), confirm with a code, then see the recovery codes once."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if confirmed and not user.is_verified():
        # Only a verified session may replace a device: a password alone must not enrol a new one.
        return redirect(f"{resolve_url('second-factor-verify')}?{urlencode({'next': _next_url(request)})}")
    if confirmed:
        messages.info(request, _("Your second factor is already set up. An admin can reset it if you lose it."))
        return redirect("account")
    device = second_factor_enrol_start(user=user)
    form = CodeForm(request.POST or None, help_text=_("The six digits your app shows now."))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = second_factor_enrol_confirm(device=device, code=form.cleaned_data["code"])
            except CodeThrottled as exc:
                form.add_error("code", _throttled_message(exc))
            else:
                if codes is None:
                    form.add_error("code", _("That code is not right. Check the clock on your phone and try again."))
                else:
                    device.refresh_from_db()
                    django_otp.login(request, device)
                    request.session[OWES_CODE_SESSION_KEY] = True
                    shown = {"codes": codes, "next": _next_url(request)}
                    return render(request, "registration/second_factor_codes.html", shown)
    context: dict[str, Any] = {
        "form": form,
        "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": _grouped_secret(device),
        "next": _next_url(request),
        "required": second_factor_required(user),
    }
    return render(request, "registration/second_factor_enrol.html", context, status=status)


@second_factor_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def code_verify(request):
    """After the password: a code from the app, or a recovery code. Wrong codes are throttled and
    count as failed sign-ins, so enough of them lock the account like wrong passwords do."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if second_factor_required(user):
            return redirect(f"{resolve_url('second-factor-enrol')}?{urlencode({'next': _next_url(request)})}")
        request.session[OWES_CODE_SESSION_KEY] = False  # a clinician whose device was reset
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, help_text=_("Six digits from your authenticator app, or a recovery code."))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = second_factor_check(user=user, code=form.cleaned_data["code"])
            except CodeThrottled as exc:
                device = None
                form.add_error("code", _throttled_message(exc))
            else:
                if device is None:
                    form.add_error("code", _("That code is not right. Try the newest code your app shows."))
            if device is not None:
                django_otp.login(request, device)
                if not isinstance(device, TOTPDevice):
                    left = StaticToken.objects.filter(device=device).count()
                    messages.warning(
                        request,
                        _("You signed in with a recovery code; %(left)s are left. Each works once.") % {"left": left},
                    )
                return redirect(_next_url(request))
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)  # AxesMiddleware answers with the lockout page
    return render(
        request, "registration/second_factor_verify.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_safe
@login_required
def account(request):
    """Who you are, your second factor, and your password."""
    user = request.user
    recovery_left = StaticToken.objects.filter(device__user=user).count()
    context = {
        "enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "required": second_factor_required(user),
        "recovery_left": recovery_left,
    }
    return render(request, "registration/account.html", context)
