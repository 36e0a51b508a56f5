"""Migration 0017 moves each jurisdiction's content into a record per checklist version.

From the state before it (one shared row per jurisdiction, holding what v1 printed), every
existing version gets a record copied from that row, so v1's read model and records stay as
they were. Runs on SQLite and on PostgreSQL (``scripts/with_postgres.sh``)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from checklist.models import ChecklistVersion, JurisdictionRecord, Screening
from checklist.selectors import checklist_spec, checklist_spec_cache_clear, screening_record
from checklist.services.checklist_versions import checklist_version_copy
from checklist.spec import to_data

pytestmark = pytest.mark.renders_pdf


BEFORE = "0016_rule_conditions_before_and_missing"


@pytest.mark.django_db(transaction=True)
def test_every_existing_version_gets_a_copy_of_todays_rows_and_v1_reads_as_before(
    version, make_screening, clinic_a, alice
):
    signed = make_screening(clinic_a, alice, answers="risky", signed=True)
    draft = make_screening(clinic_a, alice, answers="clean")
    draft_version = checklist_version_copy(version=version)
    v1_jurisdictions = to_data(checklist_spec(version).jurisdictions)
    draft_record = screening_record(draft)
    stored = Screening.objects.filter(pk=signed.pk).values_list("pdf_sha256", "findings_snapshot").get()

    call_command("migrate", "checklist", BEFORE, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, summary FROM checklist_jurisdiction ORDER BY position")
        shared_rows = cursor.fetchall()
    assert [(j["code"], j["summary"]) for j in v1_jurisdictions] == shared_rows  # back to one shared row each

    call_command("migrate", verbosity=0)
    checklist_spec_cache_clear()
    for number in (version.number, draft_version.number):
        copied = ChecklistVersion.objects.get(number=number)
        assert copied.jurisdiction_records.count() == len(v1_jurisdictions)
        assert to_data(checklist_spec(copied).jurisdictions) == v1_jurisdictions
    assert JurisdictionRecord.objects.count() == 2 * len(v1_jurisdictions)
    assert screening_record(Screening.objects.get(pk=draft.pk)) == draft_record
    assert Screening.objects.filter(pk=signed.pk).values_list("pdf_sha256", "findings_snapshot").get() == stored
