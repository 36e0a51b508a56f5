"""Refuse requests whose declared charset the app cannot read, before anything reads them."""

from __future__ import annotations

import codecs
import logging

from django.http import HttpRequest, HttpResponse

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
