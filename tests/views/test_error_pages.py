"""The app's own error pages, which `make run` shows too (debug off): never Django's technical ones."""

from __future__ import annotations

from django.test import Client
from django.urls import path


def _broken_view(request):
    raise RuntimeError("a fault in the code")


urlpatterns = [path("broken/", _broken_view)]


def test_an_unknown_address_gets_the_apps_not_found_page(alice_client):
    response = alice_client.get("/screenings/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Not found · ExoSafe</title>" in html and "Back to screenings" in html


def test_a_fault_gets_the_apps_server_error_page_without_details(db, settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'name="viewport"' in html  # readable on a phone
    assert "a fault in the code" not in html and "Traceback" not in html
