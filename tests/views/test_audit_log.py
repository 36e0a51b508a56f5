"""The clinic admin's audit log: events in plain words with people's full names, and filters by
person, screening, kind of event and dates; only the clinic's own events, ever."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from checklist.audit import audit_log
from checklist.models import AuditEvent
from clinic.services import staff_member_create

URL = reverse("checklist:audit-log")


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def rows_of(response) -> list[str]:
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>")[:-1]]


@pytest.fixture
def events(clinic_a, alice, carol, make_screening, clinic_b, bob):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    draft = make_screening(clinic_a, alice)
    audit_log(clinic=clinic_a, actor=carol, screening=signed, action="screening.pdf_downloaded")
    staff_member_create(
        clinic=clinic_a,
        actor=carol,
        username="newnurse",
        first_name="Nia",
        last_name="Nurse",
        email="",
        role="clinician",
        password="a-long-enough-password-42",
    )
    make_screening(clinic_b, bob, patient_name="Bobs Patient")
    return {"signed": signed, "draft": draft}


@pytest.mark.renders_pdf
def test_it_writes_each_event_in_plain_words_with_full_names(carol_client, events):
    response = carol_client.get(URL)
    text = text_of(response)
    assert "The audit trail verifies" in text  # the hash-chain line stays
    assert "Alice Tester" in text and "Carol Tester" in text
    assert "Consent signed Signed the consent with the patient. The patient's decision: wants to wait." in text
    assert "Signed PDF downloaded Downloaded the signed PDF." in text
    assert "Added Nia Nurse as clinician." in text
    assert "ExoSafe (automatically)" in text and "Stored the signed PDF (fingerprint" in text
    for code in ("screening.signed", "staff.added", "pdf_downloaded", "lock_version", "newnurse"):
        assert code not in text, code


def test_it_filters_by_person(carol_client, events, carol):
    rows = rows_of(carol_client.get(URL, {"person": carol.pk}))
    assert len(rows) == 2 and all("Carol Tester" in row for row in rows)


def test_it_filters_by_screening_reference_in_any_case(carol_client, events):
    draft = events["draft"]
    rows = rows_of(carol_client.get(URL, {"reference": f" {draft.reference.lower()} "}))
    assert rows and all(draft.reference in row for row in rows)
    assert rows[0].endswith(draft.reference) and "Started the screening." in rows[0]


def test_it_filters_by_kind_of_event(carol_client, events):
    rows = rows_of(carol_client.get(URL, {"kind": "screening.started"}))
    assert len(rows) == 2 and all("Started the screening." in row for row in rows)
    form = carol_client.get(URL).content.decode()
    assert '<option value="staff.second_factor_reset">Second factor reset</option>' in form


def test_it_filters_by_a_date_range_including_both_ends(carol_client, events, clinic_a):
    today = timezone.localdate()
    all_rows = rows_of(carol_client.get(URL))
    assert len(all_rows) == AuditEvent.objects.filter(clinic=clinic_a).count()
    assert rows_of(carol_client.get(URL, {"date_from": today, "date_to": today})) == all_rows
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert rows_of(carol_client.get(URL, {"date_from": tomorrow})) == ["No event matches these filters."]
    assert rows_of(carol_client.get(URL, {"date_to": yesterday})) == ["No event matches these filters."]


def test_bad_filters_are_explained_and_list_nothing(carol_client, events, bob):
    for params, message in (
        ({"reference": "EXO-'; DROP"}, "Enter a whole reference, like EXO-7K2M-Q9PD."),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "The end date is before the start date."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"person": bob.pk}, "Select a valid choice."),
        ({"kind": "screening.viewed"}, "Select a valid choice."),
    ):
        response = carol_client.get(URL, params)
        assert response.status_code == 200
        text = text_of(response)
        assert message in text and "Correct the filter above to see the events." in text, params
        assert "<tbody>" not in response.content.decode(), params


def test_another_clinics_events_never_show(carol_client, events):
    text = text_of(carol_client.get(URL))
    assert "Bob Tester" not in text
    assert "Bob Tester" not in text_of(carol_client.get(URL, {"kind": "screening.started"}))


def test_the_pages_keep_the_filters(carol_client, events, monkeypatch):
    monkeypatch.setattr("checklist.views.audit.EVENTS_PER_PAGE", 1)
    html = carol_client.get(URL, {"kind": "screening.started"}).content.decode()
    assert 'href="?kind=screening.started&amp;page=2"' in html


def test_a_clinician_cannot_see_it(alice_client, events):
    assert alice_client.get(URL).status_code == 403
