"""How the signed-in user is loaded on each request (clinic.auth_backends)."""

from __future__ import annotations

from clinic.auth_backends import MembershipModelBackend


def test_the_user_comes_with_membership_and_clinic_in_one_query(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = MembershipModelBackend().get_user(alice.pk)
        assert user.membership.clinic.name == alice.membership.clinic.name


def test_a_deactivated_user_is_signed_out(alice_client, alice):
    alice.is_active = False
    alice.save()
    response = alice_client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_a_clinic_is_refused_not_broken(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="a long passphrase 1")
    client.force_login(user)
    assert client.get("/").status_code == 403
