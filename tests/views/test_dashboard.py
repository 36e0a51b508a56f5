from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from checklist.demo import demo_answers, sign_screening
from checklist.models import Screening, ScreeningNamePrefix
from checklist.selectors import checklist_spec
from checklist.services.screenings import AnswerInput, screening_answers_save

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


def _older_link(html: str) -> str | None:
    match = re.search(r'href="\?([^"]*)">Older</a>', html)
    return unescape(match.group(1)) if match else None


def _newer_link(html: str) -> str | None:
    match = re.search(r'href="\?([^"]*)">Newer</a>', html)
    return unescape(match.group(1)) if match else None


def _listed(html: str, names) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


def _same_moment(screenings) -> None:
    """Give screenings one created_at, so that only their ids order them."""
    moment = screenings[0].created_at
    Screening.objects.filter(pk__in=[s.pk for s in screenings]).update(created_at=moment)
    ScreeningNamePrefix.objects.filter(screening__in=screenings).update(created_at=moment)


@pytest.mark.parametrize("query", [{}, {"q": "garcia"}, {"q": "ana garcia"}, {"q": "g", "status": "draft"}])
def test_older_and_newer_links_page_through_every_screening_once(
    alice_client, make_screening, clinic_a, alice, clinic_b, bob, settings, query
):
    settings.SCREENINGS_PER_PAGE = 2
    made = [make_screening(clinic_a, alice, patient_name=f"Ana Garcia {word}") for word in ("one", "two", "three")]
    made += [make_screening(clinic_a, alice, patient_name=f"Ana Garcia {word}") for word in ("four", "five", "six")]
    _same_moment(made[1:4])  # ties on the date are broken by id, never shown twice or skipped
    make_screening(clinic_a, alice, patient_name="Ben Brown")
    make_screening(clinic_b, bob, patient_name="Ana Garcia elsewhere")
    newest_first = Screening.objects.filter(pk__in=[s.pk for s in made]).order_by("-created_at", "-pk")
    names = [s.patient_name for s in newest_first]
    pages = [alice_client.get(URL, query).content.decode()]
    while (link := _older_link(pages[-1])) is not None:
        assert "after=" in link
        pages.append(alice_client.get(f"{URL}?{link}").content.decode())
    seen = [name for html in pages for name in _listed(html, names)]
    assert seen == names  # newest first (the model's order), each once
    assert all("elsewhere" not in html for html in pages)
    assert len(pages) >= 3
    assert all(f"Page {n}" in html for n, html in enumerate(pages, start=1))
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = alice_client.get(f"{URL}?{_newer_link(back)}").content.decode()
        assert _listed(back, names) == _listed(expected, names)
    assert _newer_link(back) is None


def test_a_key_from_another_clinic_shows_nothing_of_it(
    alice_client, make_screening, clinic_a, alice, clinic_b, bob, settings
):
    settings.SCREENINGS_PER_PAGE = 1
    for i in range(2):
        make_screening(clinic_b, bob, patient_name=f"Bee Patient {i}")
    make_screening(clinic_a, alice, patient_name="Own Patient")
    other = Client()
    other.force_login(bob)
    link = _older_link(other.get(URL).content.decode())
    html = alice_client.get(f"{URL}?{link}").content.decode()
    assert "Bee Patient" not in html


@pytest.mark.parametrize("key", ["x", "1-zz", "99999999999999999-" + "0" * 32, "-1-" + "a" * 32])
def test_a_broken_page_key_shows_the_newest_page(alice_client, make_screening, clinic_a, alice, key):
    make_screening(clinic_a, alice, patient_name="Newest Patient")
    for name in ("after", "before"):
        response = alice_client.get(URL, {name: key})
        assert response.status_code == 200 and "Newest Patient" in response.content.decode()


def _row_of(html: str, patient_name: str) -> str:
    start = html.index(patient_name)
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_a_draft_shows_how_many_sections_are_done(alice_client, make_screening, clinic_a, alice, version):
    spec = checklist_spec(version)
    draft = make_screening(clinic_a, alice, patient_name="Half Way")
    answers = demo_answers(spec, "clean")
    first, second, third = spec.sections[:3]
    for section, answered in ((first, True), (second, True), (third, False)):
        screening_answers_save(
            screening=draft,
            section_code=section.code,
            answers={q.code: AnswerInput(answers[q.code] if answered else None) for q in section.questions},
            user=alice,
        )
    make_screening(clinic_a, alice, patient_name="Not Begun")
    html = alice_client.get(URL).content.decode()
    total = len(spec.sections)
    # The third step was saved with its required questions open: not done, as in the step bar.
    assert f"2 of {total} sections done" in _row_of(html, "Half Way")
    assert f"0 of {total} sections done" in _row_of(html, "Not Begun")


def test_a_signed_screening_shows_the_patients_decision(alice_client, make_screening, clinic_a, alice):
    waiting = make_screening(clinic_a, alice, answers="clean", patient_name="Will Wait")
    going = make_screening(clinic_a, alice, answers="clean", patient_name="Gina Going")
    sign_screening(waiting, alice, decision="wait")
    sign_screening(going, alice, decision="proceed")
    make_screening(clinic_a, alice, answers="clean", patient_name="Ready Reed")
    html = alice_client.get(URL).content.decode()
    assert "Patient: Wants to wait" in _row_of(html, "Will Wait")
    assert "Patient: Decided to go ahead" in _row_of(html, "Gina Going")
    ready = _row_of(html, "Ready Reed")
    assert "Awaiting signature" in ready and "Patient:" not in ready and "sections done" in ready


def test_the_awaiting_signature_filter_lists_those_ready_to_sign_and_counts_them(
    alice_client, make_screening, clinic_a, alice, clinic_b, bob
):
    make_screening(clinic_a, alice, answers="clean", patient_name="Ready One")
    make_screening(clinic_a, alice, answers="clean", patient_name="Ready Two")
    make_screening(clinic_a, alice, patient_name="Still Draft")
    make_screening(clinic_a, alice, answers="clean", signed=True, patient_name="Done Signed")
    make_screening(clinic_b, bob, answers="clean", patient_name="Other Clinic Ready")
    html = unescape(alice_client.get(URL).content.decode())
    link = re.search(
        r'<a class="nav-link" href="(\?status=awaiting_signature)">Awaiting signature <span[^>]*>(\d+)</span>', html
    )
    assert link is not None and link.group(2) == "2"
    listed = unescape(alice_client.get(URL + link.group(1)).content.decode())
    assert "Ready One" in listed and "Ready Two" in listed
    assert "Still Draft" not in listed and "Done Signed" not in listed and "Other Clinic Ready" not in listed
    assert 'class="nav-link active" aria-current="page" href="?status=awaiting_signature"' in listed
