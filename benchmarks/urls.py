"""The project's URLs plus ``/bench/trivial/``: the baseline that every page is compared with.

The trivial view runs through the same middleware, session and database as every page (signed
in, so the session is read, the user loaded and the session saved again), and does nothing else.
It lives here, never in the app's own URLconf.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from clinic.urls import urlpatterns as project_urlpatterns


@require_safe
@login_required
def trivial(request):
    return HttpResponse(f"<!doctype html><title>ok</title><p>{request.user.pk}</p>")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *project_urlpatterns]
