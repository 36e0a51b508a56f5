"""v2 installed in the database reads back as its file, and its expired-lot rule fires on a screening."""

from __future__ import annotations

import datetime as dt

from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.demo import CLEAN_ANSWERS, answer_all_sections
from checklist.selectors import checklist_spec, screening_assessment


def test_the_installed_v2_keeps_its_rules_scopes_and_exclusive_choices(version_v2):
    stored = checklist_spec(version_v2)
    file = load_content_file(CONTENT_DIR / "v2.yaml").checklist
    assert stored.rules == file.rules
    assert stored.sections == file.sections
    assert stored.key_facts == file.key_facts


def test_a_lot_that_expires_before_the_treatment_day_is_a_red_flag(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, planned_date=dt.date(2026, 12, 15))
    overrides = {"sterility_certificate": "yes", "lot_expiry_date": "2026-01-15"}
    screening = answer_all_sections(screening, CLEAN_ANSWERS, alice, overrides=overrides)
    codes = {f.code: f.level.code for f in screening_assessment(screening)[1].findings}
    assert codes["rule.lot_expired_before_treatment"] == "red_flag"
    screening.refresh_from_db()
    assert screening.overall_risk == "red_flag"


def test_a_lot_with_no_expiry_recorded_is_a_caution(version_v2, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, planned_date=dt.date(2026, 12, 15))
    overrides = {"sterility_certificate": "yes", "lot_expiry_date": None}
    screening = answer_all_sections(screening, CLEAN_ANSWERS, alice, overrides=overrides)
    codes = {f.code: f.level.code for f in screening_assessment(screening)[1].findings}
    assert codes["rule.lot_expiry_not_recorded"] == "caution"
    assert "rule.lot_expired_before_treatment" not in codes
