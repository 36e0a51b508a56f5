"""The clinic admin's settings page: time to reflect, co-signing, and the grace period a draft has
under a retired checklist, changed on the app's own pages and written to the audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.audit_text import event_sentence
from checklist.models import AuditEvent
from clinic.models import GRACE_DAYS_MAX, Clinic, Membership
from tests.conftest import login_verified, make_member

URL = reverse("clinic:settings")


def settings_post(**overrides) -> dict:
    data = {
        "reflection_period_cosmetic": "24h",
        "reflection_period_medical": "24h",
        "retired_version_grace_days": "30",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _events(clinic: Clinic) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(clinic=clinic, action="clinic.settings_changed"))


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_clinician_can_neither_see_nor_change_the_settings(alice_client, clinic_a):
    assert alice_client.get(URL).status_code == 403
    assert alice_client.post(URL, settings_post(retired_version_grace_days="5")).status_code == 403
    clinic_a.refresh_from_db()
    assert clinic_a.retired_version_grace_days == 30
    assert _events(clinic_a) == []


def test_the_page_shows_the_current_grace_period(carol_client, clinic_a):
    clinic_a.retired_version_grace_days = 12
    clinic_a.save()
    page = carol_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="retired_version_grace_days"' in html and 'value="12"' in html
    assert "Days a draft may still be finished under a retired checklist" in html
    assert reverse("clinic:settings") in carol_client.get(reverse("clinic:staff")).content.decode()


def test_a_clinic_admin_changes_the_grace_period_and_it_is_audited(carol_client, carol, clinic_a, clinic_b):
    response = carol_client.post(URL, settings_post(retired_version_grace_days="14"))
    assert response.status_code == 302 and response["Location"] == URL
    clinic_a.refresh_from_db()
    clinic_b.refresh_from_db()
    assert clinic_a.retired_version_grace_days == 14
    assert clinic_b.retired_version_grace_days == 30  # another clinic's is unaffected
    (event,) = _events(clinic_a)
    assert event.actor == carol
    assert event.detail["changes"] == [["retired_version_grace_days", 30, 14]]
    sentence = event_sentence(event.action, event.detail, {})
    assert "days a draft may still be finished under a retired checklist: 30 → 14" in sentence
    assert _events(clinic_b) == []


def test_the_reflection_periods_and_cosigning_change_and_are_audited(carol_client, clinic_a):
    carol_client.post(
        URL,
        settings_post(
            reflection_period_cosmetic="7d", reflection_period_medical="none", cosign_accepted_red_flags="on"
        ),
    )
    clinic_a.refresh_from_db()
    assert (clinic_a.reflection_period_cosmetic, clinic_a.reflection_period_medical) == ("7d", "none")
    assert clinic_a.cosign_accepted_red_flags
    (event,) = _events(clinic_a)
    assert sorted(name for name, _before, _after in event.detail["changes"]) == [
        "cosign_accepted_red_flags",
        "reflection_period_cosmetic",
        "reflection_period_medical",
    ]
    assert "7 days" in event_sentence(event.action, event.detail, {})


def test_saving_unchanged_settings_writes_no_event(carol_client, clinic_a):
    assert carol_client.post(URL, settings_post()).status_code == 302
    assert _events(clinic_a) == []


@pytest.mark.parametrize("days", ["-1", str(GRACE_DAYS_MAX + 1), "1000", "ten", "2.5", ""])
def test_a_grace_period_out_of_range_is_refused_with_a_clear_message(carol_client, clinic_a, days):
    response = carol_client.post(URL, settings_post(retired_version_grace_days=days, reflection_period_cosmetic="7d"))
    assert response.status_code == 400
    assert f"Enter a whole number of days from 0 to {GRACE_DAYS_MAX}" in response.content.decode()
    clinic_a.refresh_from_db()
    assert clinic_a.retired_version_grace_days == 30
    assert clinic_a.reflection_period_cosmetic == "24h"  # nothing of a refused form is saved
    assert _events(clinic_a) == []


@pytest.mark.parametrize("days", ["0", str(GRACE_DAYS_MAX)])
def test_the_ends_of_the_range_are_accepted(carol_client, clinic_a, days):
    assert carol_client.post(URL, settings_post(retired_version_grace_days=days)).status_code == 302
    clinic_a.refresh_from_db()
    assert clinic_a.retired_version_grace_days == int(days)


def test_an_unknown_reflection_period_is_refused(carol_client, clinic_a):
    response = carol_client.post(URL, settings_post(reflection_period_cosmetic="1y"))
    assert response.status_code == 400
    clinic_a.refresh_from_db()
    assert clinic_a.reflection_period_cosmetic == "24h"


def test_each_admin_changes_only_their_own_clinic(client, clinic_a, clinic_b):
    dana = make_member(clinic_b, "dana", Membership.Role.ADMIN)
    login_verified(client, dana)
    assert client.post(URL, settings_post(retired_version_grace_days="3")).status_code == 302
    clinic_a.refresh_from_db()
    clinic_b.refresh_from_db()
    assert (clinic_a.retired_version_grace_days, clinic_b.retired_version_grace_days) == (30, 3)
    assert _events(clinic_a) == [] and len(_events(clinic_b)) == 1


def test_wrong_methods_are_refused(carol_client):
    assert carol_client.put(URL).status_code == 405
    assert carol_client.delete(URL).status_code == 405
