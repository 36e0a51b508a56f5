"""A WSGI handler whose requests survive a charset that is not a text codec.

Django adopts any codec Python knows as a request's charset and, under WSGI, decodes the query
string with it while the request is still being built. A bytes codec such as ``hex`` or ``rot13``
then raises before any middleware runs, and the visitor gets the server's bare 500. This request
ignores such a charset instead, and ``RequestCharsetMiddleware`` answers it with the 400 page.
(Django's ASGI request does not decode the query string with the charset, so it needs no help.)
"""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


class ExoSafeWSGIRequest(WSGIRequest):
    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)  # type: ignore[misc]  # private, not in the stubs
        except LookupError:
            self._encoding = None


class ExoSafeWSGIHandler(WSGIHandler):
    request_class = ExoSafeWSGIRequest
