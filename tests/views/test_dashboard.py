from __future__ import annotations

from django.urls import reverse

URL = reverse("checklist:dashboard")


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_the_clinics_own_screenings_newest_first(
    alice_client, make_screening, clinic_a, alice, clinic_b, bob
):
    older = make_screening(clinic_a, alice, patient_name="Older Patient")
    newer = make_screening(clinic_a, alice, patient_name="Newer Patient")
    make_screening(clinic_b, bob, patient_name="Other Clinic Patient")
    html = alice_client.get(URL).content.decode()
    assert html.index(newer.patient_name) < html.index(older.patient_name)
    assert "Other Clinic Patient" not in html


def test_it_searches_by_name_and_reference(alice_client, make_screening, clinic_a, alice):
    wanted = make_screening(clinic_a, alice, patient_name="Zelda Quill", patient_reference="MRN-777")
    make_screening(clinic_a, alice, patient_name="Other Person")
    for query in ("zelda", wanted.reference, "MRN-777"):
        html = alice_client.get(URL, {"q": query}).content.decode()
        assert "Zelda Quill" in html and "Other Person" not in html, query


def test_it_filters_by_status_and_risk(alice_client, make_screening, clinic_a, alice):
    make_screening(clinic_a, alice, patient_name="Risky Person", answers="risky")
    make_screening(clinic_a, alice, patient_name="Fresh Person")
    html = alice_client.get(URL, {"risk": "red_flag"}).content.decode()
    assert "Risky Person" in html and "Fresh Person" not in html
    html = alice_client.get(URL, {"status": "draft"}).content.decode()
    assert "Fresh Person" in html and "Risky Person" not in html


def test_it_paginates(alice_client, make_screening, clinic_a, alice, settings):
    settings.SCREENINGS_PER_PAGE = 2
    for i in range(3):
        make_screening(clinic_a, alice, patient_name=f"Paged {i}")
    first = alice_client.get(URL).content.decode()
    second = alice_client.get(URL, {"page": 2}).content.decode()
    assert "Page 1" in first and "Paged 0" in second and "Paged 0" not in first


def test_it_ignores_nonsense_filters(alice_client):
    response = alice_client.get(URL, {"status": "<script>", "risk": "x" * 500, "page": "-1"})
    assert response.status_code == 200


def test_it_refuses_post(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_a_user_without_a_clinic_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner", password="pw-loner-123456"))
    assert client.get(URL).status_code == 403


def test_search_finds_names_by_the_start_of_any_word_and_never_another_clinics(
    alice_client, make_screening, clinic_a, alice, clinic_b, bob
):
    make_screening(clinic_a, alice, patient_name="Zoë O'Brien-Quill")
    make_screening(clinic_b, bob, patient_name="Zoe Quill", patient_reference="MRN-777")
    for query in ("zoe", "ZOË", "qui", "zo o'bri", "brien"):
        html = alice_client.get(URL, {"q": query}).content.decode()
        assert "O&#x27;Brien-Quill" in html, query
        assert "Zoe Quill" not in html, query
    assert "No screening matches" in alice_client.get(URL, {"q": "MRN-777"}).content.decode()
    assert "No screening matches" in alice_client.get(URL, {"q": "uill"}).content.decode()
