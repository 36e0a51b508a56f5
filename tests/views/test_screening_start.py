from __future__ import annotations

import datetime as dt

from django.urls import reverse

from checklist.models import Screening
from tests.views.helpers import start_post

URL = reverse("checklist:screening-start")


def test_it_defaults_to_the_clinics_jurisdiction(alice_client, clinic_a):
    html = alice_client.get(URL).content.decode()
    us = clinic_a.default_jurisdiction
    assert f'value="{us.pk}" selected' in html


def test_it_starts_a_screening_pinned_to_the_published_version(alice_client, alice, version):
    response = alice_client.post(URL, start_post())
    screening = Screening.objects.get(patient_name="Robin Example")
    assert screening.version == version
    assert screening.clinician == alice
    assert screening.clinic == alice.membership.clinic
    assert screening.status == Screening.Status.DRAFT
    assert response.status_code == 302
    assert response["Location"] == reverse("checklist:screening-step", args=[screening.pk, "source"])


def test_invalid_input_gets_field_messages_and_stores_nothing(alice_client):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = alice_client.post(
        URL, start_post(patient_name="", patient_dob=future, route="other", route_other="", intended_use="teleport")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html
    assert "cannot be in the future" in html
    assert "Say how the product is given" in html
    assert "Select a valid choice" in html
    assert Screening.objects.count() == 0


def test_control_characters_are_refused(alice_client):
    response = alice_client.post(URL, start_post(patient_name="Robin\x00Example"))
    assert response.status_code == 400
    assert Screening.objects.count() == 0


def test_it_sends_anonymous_users_to_sign_in(client, db):
    assert client.get(URL).status_code == 302
    assert client.post(URL, start_post()).status_code == 302
    assert Screening.objects.count() == 0


def test_it_refuses_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405
