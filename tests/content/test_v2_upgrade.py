"""Upgrading a database that holds v1 screenings: loading v2 leaves them under v1, as they were."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from checklist.models import ChecklistVersion, Jurisdiction, JurisdictionRecord, Screening
from checklist.selectors import checklist_spec, screening_record

pytestmark = pytest.mark.renders_pdf


def test_loading_v2_keeps_v1_screenings_draft_and_signed_under_v1_unchanged(version, make_screening, clinic_a, alice):
    korea = Jurisdiction.objects.get(code="KR")
    signed = make_screening(clinic_a, alice, answers="risky", signed=True, jurisdiction=korea)
    draft = make_screening(clinic_a, alice, answers="clean", jurisdiction=korea)
    stored = {s.pk: (s.pdf_sha256, s.findings_snapshot, s.overall_risk) for s in (signed, draft)}
    draft_record = screening_record(draft)
    v1_spec = checklist_spec(version)

    call_command("load_checklist", verbosity=0)  # installs v2 as a draft beside the published v1
    assert ChecklistVersion.objects.get(number=2).status == ChecklistVersion.Status.DRAFT
    call_command("publish_checklist", "2", verbosity=0)

    assert ChecklistVersion.objects.get(number=2).status == ChecklistVersion.Status.PUBLISHED
    for screening in Screening.objects.filter(pk__in=stored):
        assert screening.version_id == version.pk
        assert (screening.pdf_sha256, screening.findings_snapshot, screening.overall_risk) == stored[screening.pk]
        # Its facts still come from v1's record of South Korea, not v2's corrected one.
        assert screening.jurisdiction_record == JurisdictionRecord.objects.get(version=version, jurisdiction=korea)
        assert screening.jurisdiction_record.report_phone == ""
    version.refresh_from_db()
    assert checklist_spec(version).jurisdictions == v1_spec.jurisdictions
    assert screening_record(Screening.objects.get(pk=draft.pk)) == draft_record
    new = make_screening(clinic_a, alice, jurisdiction=korea)
    assert new.version.number == 2 and new.jurisdiction_record.report_phone == "1644-6223"
