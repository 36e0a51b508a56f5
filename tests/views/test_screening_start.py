from __future__ import annotations

import datetime as dt
import re

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


def choice_button(html: str, name: str, value: str) -> re.Match | None:
    """The input and label of one answer button, as partials/choice_buttons.html writes them."""
    return re.search(
        rf'<input type="radio" name="{name}" value="{value}" class="btn-check" id="(id_{name}_\d+)"[^>]*>'
        r'<label class="btn btn-outline-primary choice-label" for="\1">([^<]+)</label>',
        html,
    )


def test_use_and_route_are_the_checklists_answer_buttons(alice_client):
    html = alice_client.get(URL).content.decode()
    for name, value, label in (
        ("intended_use", "skin", "Skin appearance"),
        ("intended_use", "other", "Other"),
        ("route", "microneedling", "With microneedling"),
        ("route", "other", "Other"),
    ):
        button = choice_button(html, name, value)
        assert button is not None, (name, value)
        assert button.group(2) == label


def test_the_other_boxes_are_marked_to_show_only_with_other(alice_client):
    html = alice_client.get(URL).content.decode()
    assert '<div data-shown-when-chosen="intended_use:other">' in html
    assert '<div data-shown-when-chosen="route:other">' in html
    # Not hidden by the server: without JavaScript both boxes stay usable.
    assert 'data-shown-when-chosen="route:other" hidden' not in html


def test_other_without_its_text_is_refused_with_the_choice_kept(alice_client):
    response = alice_client.post(URL, start_post(intended_use="other", intended_use_other="  "))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the treatment is for." in html
    assert " checked>" in choice_button(html, "intended_use", "other").group(0)
    assert " checked>" not in choice_button(html, "intended_use", "skin").group(0)
    assert Screening.objects.count() == 0


def test_an_other_text_is_kept_with_other_and_dropped_without_it(alice_client):
    alice_client.post(URL, start_post(patient_name="Uma Other", route="other", route_other="Scalp injection"))
    alice_client.post(URL, start_post(patient_name="Una Topical", route="topical", route_other="left over from Other"))
    assert Screening.objects.get(patient_name="Uma Other").route_other == "Scalp injection"
    assert Screening.objects.get(patient_name="Una Topical").route_other == ""
