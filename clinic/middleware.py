"""The app's own middleware: refuse a request whose declared charset the app cannot read, before
anything reads it; send a signed-in user who still owes a second factor to the code page."""

from __future__ import annotations

import codecs
import logging

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from clinic.second_factor import second_factor_owed
from clinic.views import bad_request_page

logger = logging.getLogger("django.security.RequestCharset")


def declared_charset_is_readable(request: HttpRequest) -> bool:
    """True when the Content-Type declares no charset, or UTF-8 under any spelling.

    Every page and form of the app is UTF-8, so nothing else is legitimate. Django would refuse a
    UTF-16 form body only when the body is first read (by the CSRF check, then again by the 400
    handler, so the visitor got a 500), and it decodes the query string with a declared charset
    such as ``rot13``, which is not a text codec at all and raises.
    """
    charset = (request.content_params or {}).get("charset")
    if charset is None:
        return True
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        return False
    if codec.name != "utf-8":
        return False
    # "UTF8" and "utf_8" are UTF-8 too, but Django accepts a form body only as "utf-8".
    request.encoding = "utf-8"
    return True


class RequestCharsetMiddleware:
    """Answer the app's 400 page for a request declared in a charset other than UTF-8."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not declared_charset_is_readable(request):
            logger.warning(
                "Refused a request declared as %r: %s %s",
                (request.content_params or {}).get("charset"),
                request.method,
                request.path,
            )
            return bad_request_page(request)
        return self.get_response(request)


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
