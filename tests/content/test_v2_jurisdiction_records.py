"""Checklist v2's jurisdiction records, as loaded into the database beside v1's.

Each test reads the rows of the installed version (``JurisdictionRecord`` through the read model)
and checks the same facts in the content file, so neither can drift from the other."""

from __future__ import annotations

import pytest

from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.models import ChecklistVersion
from checklist.selectors import checklist_spec
from checklist.spec import JurisdictionSpec

FILE = load_content_file(CONTENT_DIR / "v2.yaml").checklist
REVIEWED = "2026-12-02"


@pytest.fixture(params=["loaded rows", "content file"])
def v2(request) -> dict[str, JurisdictionSpec]:
    if request.param == "content file":
        return FILE.jurisdictions_by_code
    version = request.getfixturevalue("version_v2")
    return checklist_spec(version).jurisdictions_by_code


def test_every_country_has_one_v2_record_and_v1_keeps_its_own(version_v2):
    v1 = ChecklistVersion.objects.get(number=1)
    assert v1.status == ChecklistVersion.Status.RETIRED and version_v2.status == ChecklistVersion.Status.PUBLISHED
    codes = [j.code for j in FILE.jurisdictions]
    assert list(version_v2.jurisdiction_records.values_list("jurisdiction__code", flat=True)) == codes
    v1_file = load_content_file(CONTENT_DIR / "v1.yaml").checklist
    assert checklist_spec(v1).jurisdictions == v1_file.jurisdictions
    assert checklist_spec(version_v2).jurisdictions == FILE.jurisdictions


def test_approval_is_hedged_and_dated_per_jurisdiction_with_its_citation(v2):
    for code, j in v2.items():
        assert j.last_reviewed == REVIEWED, code
        assert j.references, code
        assert j.no_approved_products, code
    for code in ("US", "UK", "EU", "JP", "AU", "KR"):
        assert "As far as we knew on 2 December 2026" in v2[code].summary, code
    assert "checked on 2 December 2026" in v2["CA"].summary
    other = v2["OTHER"].summary
    assert "we have not checked" in other and "assume it is not approved" in other
    assert not other.startswith("No exosome product")  # never a bare fact for "other or unknown"


def test_canada_rests_on_health_canadas_notice_and_reports_to_canada_vigilance_by_phone(v2):
    canada = v2["CA"]
    assert "health-canada-2025-exosome-skin-notice" in canada.references
    assert "health-canada-2019-cell-therapy-policy" not in canada.references  # for cell products only
    assert canada.summary.startswith("In August 2025, Health Canada published a notice")
    assert "It has been reported that a later notice, in April 2026" in canada.summary
    assert "Canada Vigilance" in canada.report_name and canada.report_phone == "1-866-234-2345"
    assert "1-866-234-2345" in canada.report_instructions


def test_japan_has_been_outside_the_act_with_the_review_date_and_the_two_notices_told_apart(v2):
    japan = v2["JP"]
    assert "have been outside Japan's Act on the Safety of Regenerative Medicine" in japan.summary
    assert "as checked on that date" in japan.summary and "2 December 2026" in japan.summary
    assert "are regulated" not in japan.summary
    assert "On 31 July 2024 the health ministry sent out two notices" in japan.summary
    assert "One was about exosome products sold as lab supplies" in japan.summary
    assert "The other said the treating doctor is responsible" in japan.summary
    assert {"kyodo-2024-japan-exosome-regulation", "mhlw-2024-exosome-notices"} <= set(japan.references)


def test_south_korea_reports_to_kids_and_no_longer_cites_the_seeds(v2):
    korea = v2["KR"]
    assert "KIDS" in korea.report_name
    assert korea.report_url == "https://www.drugsafe.or.kr" and korea.report_phone == "1644-6223"
    assert "1644-6223" in korea.report_instructions
    assert "kids-adverse-event-reporting" in korea.references
    assert not {"seed-myths-article", "seed-faq"} & set(korea.references)


def test_the_uk_reports_by_what_the_product_is(v2):
    uk = v2["UK"]
    assert "Yellow Card" in uk.report_name and "Trading Standards" in uk.report_name
    instructions = uk.report_instructions
    assert "For a medicine or a medical device, use the Yellow Card website" in instructions
    assert "For a cosmetic, tell your local Trading Standards" in instructions
    assert "0800" not in instructions  # the phone line is unverified
    assert uk.bans_human_derived_cosmetics and "It has been reported" in uk.summary
    assert {
        "mhra-yellow-card-what-to-report",
        "citizens-advice-consumer-service",
        "guardian-2025-uk-exosome-cosmetics",
    } <= set(uk.references)
