"""Key information first: short, plain, cited, and true to the record (issue 14)."""

from __future__ import annotations

import pytest
import textstat

from checklist.key_information import MAX_LISTED_FLAGS, Offer, key_information, screening_key_information
from checklist.selectors import screening_record

CONTACT = "Nurse line +1 555 0101 (9am-5pm); out of hours, call 911 or go to the nearest emergency department."


@pytest.mark.parametrize("answers", ["clean", "risky"])
def test_it_is_short_plain_and_every_point_is_cited(make_screening, clinic_a, alice, answers):
    screening = make_screening(clinic_a, alice, answers=answers)
    info = key_information(screening_record(screening), offer=Offer.of(screening), clinic_contact=CONTACT)
    assert info.word_count <= 250
    assert textstat.flesch_kincaid_grade(info.plain_text) <= 8
    assert textstat.flesch_reading_ease(info.plain_text) >= 60
    assert all(point.is_cited for point in info.points), [p.code for p in info.points if not p.is_cited]
    assert "safe" not in info.plain_text.lower().replace("unsafe", "")


def test_it_names_the_offer_the_place_the_concerns_and_whom_to_call(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="risky")
    record = screening_record(screening)
    info = screening_key_information(screening, record)
    points = {p.code: p for p in info.points}
    assert list(points) == [
        "offer",
        "approval",
        "nature",
        "concerns",
        "unknowns",
        "alternatives",
        "voluntary",
        "call",
    ]
    assert screening.product_name in points["offer"].text and screening.product_maker in points["offer"].text
    assert "United States" in points["approval"].text and "22 November 2026" in points["approval"].text
    flags = record.assessment.red_flags
    assert len(flags) > MAX_LISTED_FLAGS
    lines = points["concerns"].lines
    assert [line.text for line in lines[:MAX_LISTED_FLAGS]] == [f.patient_text for f in flags[:MAX_LISTED_FLAGS]]
    assert f"{len(flags) - MAX_LISTED_FLAGS} more" in lines[-1].text
    assert [line.outcome for line in lines] == [""] * MAX_LISTED_FLAGS + [None], "unresolved, then not a flag"
    assert clinic_a.adverse_event_contact in points["call"].text
    assert "MedWatch" in points["call"].text


def test_a_clean_screening_says_so_without_calling_it_safe(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean")
    info = screening_key_information(screening, screening_record(screening))
    concerns = next(p for p in info.points if p.code == "concerns")
    assert not concerns.lines and "No warning signs" in concerns.text
