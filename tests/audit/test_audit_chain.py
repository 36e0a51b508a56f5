"""The audit trail is a hash chain: anything deleted, edited or inserted below the app is named."""

from __future__ import annotations

import hashlib
import importlib
import itertools
import threading
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from checklist.audit import PDF_STORED, audit_chain_verify, audit_log
from checklist.audit_chain import GENESIS_SHA256, event_sha256
from checklist.models import AuditEvent, Screening
from tests.audit.tamper import protections_off, raw, raw_insert_event
from tests.conftest import make_clinic, make_member


def verify(*args) -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


@pytest.fixture
def trail(clinic_a, alice, draft) -> list[AuditEvent]:
    """Five events of clinic A, oldest first."""
    for n in range(4):
        audit_log(clinic=clinic_a, actor=alice, screening=draft, action="screening.viewed", n=n)
    events = list(AuditEvent.objects.filter(clinic=clinic_a).order_by("id"))
    assert len(events) == 5
    return events


def test_each_event_chains_to_the_previous_event_of_its_clinic(trail, clinic_b, bob):
    first_of_b = audit_log(clinic=clinic_b, actor=bob, action="staff.viewed")
    assert trail[0].previous_sha256 == GENESIS_SHA256
    assert first_of_b.previous_sha256 == GENESIS_SHA256  # clinic B's chain is its own
    for before, event in itertools.pairwise(trail):
        assert event.previous_sha256 == before.sha256
    stored = AuditEvent.objects.select_related("screening").get(pk=trail[2].pk)
    assert stored.sha256 == event_sha256(
        clinic_id=stored.clinic_id,
        screening_reference=stored.screening.reference,
        actor_id=stored.actor_id,
        action=stored.action,
        at=stored.at,
        detail=stored.detail,
        previous_sha256=stored.previous_sha256,
    )


def test_an_intact_trail_verifies(trail, risky_signed):
    ok, output = verify()
    assert ok, output
    assert "the chain verifies" in output


def test_a_deleted_event_is_detected(trail):
    raw("DELETE FROM checklist_auditevent WHERE id = %s", [trail[2].pk])
    ok, output = verify()
    assert not ok
    assert f"event #{trail[3].pk} " in output and "deleted or inserted" in output


def test_an_edited_event_is_detected(trail):
    raw("UPDATE checklist_auditevent SET action = %s WHERE id = %s", ["screening.nothing_happened", trail[1].pk])
    ok, output = verify()
    assert not ok
    assert f"BROKEN at event #{trail[1].pk} " in output and "changed after it was written" in output


def test_an_inserted_event_is_detected_even_with_a_well_formed_digest(trail, clinic_a):
    at = timezone.now()
    detail = {"forged": True}
    previous = trail[1].sha256  # pretends to follow the second event
    digest = event_sha256(
        clinic_id=clinic_a.pk,
        screening_reference=None,
        actor_id=None,
        action="screening.voided",
        at=at,
        detail=detail,
        previous_sha256=previous,
    )
    raw_insert_event(
        clinic_id=clinic_a.pk,
        screening_id=None,
        action="screening.voided",
        at=at,
        detail=detail,
        previous_sha256=previous,
        sha256=digest,
    )
    inserted = AuditEvent.objects.get(action="screening.voided")
    ok, output = verify("--clinic", str(clinic_a.pk))
    assert not ok
    assert f"event #{inserted.pk} " in output


@pytest.mark.renders_pdf
def test_the_stored_pdf_hash_is_logged_in_the_chain(risky_signed):
    assert risky_signed.pdf_sha256
    event = AuditEvent.objects.get(screening=risky_signed, action=PDF_STORED)
    assert event.detail["sha256"] == risky_signed.pdf_sha256
    assert audit_chain_verify(clinic_id=risky_signed.clinic_id).pdfs_checked == 1


@pytest.mark.renders_pdf
def test_a_replaced_pdf_with_its_recorded_hash_is_detected(risky_signed):
    forged = b"%PDF-1.7 a different consent"
    with risky_signed.pdf.open("wb") as handle:
        handle.write(forged)
    raw(
        "UPDATE checklist_screening SET pdf_sha256 = %s WHERE id = %s",
        [hashlib.sha256(forged).hexdigest(), risky_signed.pk.hex if connection.vendor == "sqlite" else risky_signed.pk],
    )
    assert Screening.objects.get(pk=risky_signed.pk).pdf_sha256 == hashlib.sha256(forged).hexdigest()
    ok, output = verify()
    assert not ok
    assert f"Screening {risky_signed.reference}: its stored PDF's hash differs" in output


def test_the_command_checks_one_clinic_and_refuses_an_unknown_one(trail, clinic_a, clinic_b, bob):
    audit_log(clinic=clinic_b, actor=bob, action="staff.viewed")
    raw("DELETE FROM checklist_auditevent WHERE id = %s", [trail[1].pk])
    assert verify("--clinic", str(clinic_b.pk))[0]
    assert not verify("--clinic", str(clinic_a.pk))[0]
    ok, output = verify("--clinic", "999999")
    assert not ok and "No clinic has the id 999999" in output


def test_the_audit_page_says_whether_the_chain_verifies(carol_client, trail):
    url = reverse("checklist:audit-log")
    page = carol_client.get(url).content.decode()
    assert "The audit trail verifies" in page
    raw("UPDATE checklist_auditevent SET detail = %s WHERE id = %s", ['{"n": 99}', trail[3].pk])
    page = carol_client.get(url).content.decode()
    assert "The audit trail does NOT verify" in page
    assert f"event #{trail[3].pk} (screening.viewed" in page


@pytest.mark.renders_pdf
def test_the_migration_hashes_existing_events_in_order(trail, clinic_a, risky_signed):
    pdf_event = AuditEvent.objects.get(action=PDF_STORED)
    raw("DELETE FROM checklist_auditevent WHERE id = %s", [pdf_event.pk])
    raw("UPDATE checklist_auditevent SET previous_sha256 = '', sha256 = ''")
    assert not audit_chain_verify(clinic_id=clinic_a.pk).ok
    migration = importlib.import_module("checklist.migrations.0008_audit_hash_chain")
    models_then = MigrationLoader(connection).project_state(("checklist", "0008_audit_hash_chain")).apps
    with protections_off():  # as the migration runs before today's triggers
        migration.hash_existing_events(models_then, SimpleNamespace(connection=connection))
    check = audit_chain_verify(clinic_id=clinic_a.pk)
    assert check.ok, check.broken
    assert check.pdfs_checked == 1
    hashed = list(AuditEvent.objects.filter(clinic=clinic_a).order_by("id"))
    assert hashed[0].previous_sha256 == GENESIS_SHA256 and hashed[1].previous_sha256 == hashed[0].sha256


needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real simultaneous transactions need a server database (.ci/run runs this on PostgreSQL)",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_events_of_one_clinic_written_at_once_never_fork_the_chain():
    clinic = make_clinic("Concurrent Clinic")
    user = make_member(clinic, "writer")
    audit_log(clinic=clinic, actor=user, action="staff.viewed")
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def write(n):
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                audit_log(clinic=clinic, actor=user, action="staff.viewed", n=n, i=i)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    previous = list(AuditEvent.objects.filter(clinic=clinic).values_list("previous_sha256", flat=True))
    assert len(previous) == 21 and len(set(previous)) == 21
    check = audit_chain_verify(clinic_id=clinic.pk)
    assert check.ok, check.broken
