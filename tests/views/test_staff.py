from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clinic.models import Membership
from tests.conftest import login_verified
from tests.views.helpers import new_member

URL = reverse("clinic:staff")


def test_only_clinic_admins_manage_staff(client, alice, carol):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.post(URL, new_member()).status_code == 403
    assert client.get(reverse("checklist:audit-log")).status_code == 403
    login_verified(client, carol)
    assert client.get(URL).status_code == 200
    assert client.get(reverse("checklist:audit-log")).status_code == 200


def test_an_admin_adds_a_clinician_to_their_own_clinic(client, carol, clinic_a):
    login_verified(client, carol)
    response = client.post(URL, new_member())
    assert response.status_code == 302
    member = Membership.objects.get(user__username="newnurse")
    assert member.clinic == clinic_a and member.role == "clinician"


@pytest.mark.real_password_hasher
def test_weak_passwords_and_taken_usernames_are_refused(client, carol):
    login_verified(client, carol)
    response = client.post(URL, new_member(password="password"))
    assert response.status_code == 400
    assert "too common" in response.content.decode()
    response = client.post(URL, new_member(username="carol"))
    assert "That username is taken" in response.content.decode()
    assert not get_user_model().objects.filter(username="newnurse").exists()


def test_an_admin_can_deactivate_a_clinician_but_not_themself(client, carol, alice):
    login_verified(client, carol)
    client.post(reverse("clinic:staff-update", args=[alice.membership.pk]), {"role": "clinician"})
    alice.refresh_from_db()
    assert not alice.is_active
    client.post(reverse("clinic:staff-update", args=[carol.membership.pk]), {"role": "clinician", "is_active": "on"})
    carol.membership.refresh_from_db()
    assert carol.membership.role == "admin"


def test_another_clinics_member_is_404(client, carol, bob):
    login_verified(client, carol)
    response = client.post(reverse("clinic:staff-update", args=[bob.membership.pk]), {"role": "admin"})
    assert response.status_code == 404
    bob.membership.refresh_from_db()
    assert bob.membership.role == "clinician"
