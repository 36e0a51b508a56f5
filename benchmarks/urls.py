"""The project's URLs plus the two baselines that pages are compared with, benchmark-only.

``/bench/trivial/`` runs through the same middleware, session and database as every page
(signed in, so the session is read, the user loaded and the session saved again) and renders
nothing. ``/bench/layout/`` does the same and renders the site's layout (``base.html``) around
an empty page: what any page costs before it shows anything of its own. Neither is ever part
of the app's own URLconf.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_safe

from clinic.urls import urlpatterns as project_urlpatterns

_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Layout{% endblock %}{% block content %}<p>ok</p>{% endblock %}'
)


@require_safe
@login_required
def trivial(request):
    return HttpResponse(f"<!doctype html><title>ok</title><p>{request.user.pk}</p>")


@require_safe
@login_required
def layout(request):
    return HttpResponse(_LAYOUT.render({}, request))


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("bench/layout/", layout, name="bench-layout"),
    *project_urlpatterns,
]
