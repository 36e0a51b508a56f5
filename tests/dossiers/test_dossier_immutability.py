"""A signed screening's dossier links (which product, lot and revisions it used, and the answers it
took) and the clinician's overrides freeze with it: the QuerySets refuse bulk writes, and the
database's triggers (checklist/immutability.py) refuse plain SQL, on SQLite and on PostgreSQL
(``EXOSAFE_PG_PORT=... scripts/with_postgres.sh .venv/bin/python -m pytest -q`` this file). A draft's
rows stay editable."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from checklist import immutability
from checklist.demo import sign_screening
from checklist.models import Screening, ScreeningLocked
from checklist.services.screenings import screening_void
from dossiers.models import DossierOverride, ScreeningDossier
from dossiers.services import screening_start_from_dossier
from tests.conftest import start_data
from tests.dossiers.conftest import confirm_all_sections

# The signed PDF is queued and never rendered: these tests are about the rows.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_queued")]

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

LINKS, OVERRIDES = immutability.SCREENING_DOSSIER_TABLE, immutability.DOSSIER_OVERRIDE_TABLE
NOTE = {"donor_screening": "The vial came from an older box."}


def sql(statement: str, params: list | tuple = ()) -> None:
    """One statement in its own savepoint, with ids as the database stores them."""
    stored = [models.UUIDField().get_db_prep_value(p, connection) if isinstance(p, uuid.UUID) else p for p in params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, stored)


def rows(screening: Screening) -> tuple[list[dict], list[dict]]:
    """The screening's dossier links and overrides, read below every guard."""
    return (
        list(ScreeningDossier._base_manager.filter(screening_id=screening.pk).values()),
        list(DossierOverride._base_manager.filter(screening_id=screening.pk).order_by("pk").values()),
    )


@pytest.fixture
def from_dossier(full_dossier, clinic_a, alice) -> Screening:
    """A screening made from the dossier, every step confirmed, one answer overridden with a note."""
    screening = screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=full_dossier)
    return confirm_all_sections(screening, alice, changes={"donor_screening": "unsure"}, notes=NOTE)


@pytest.fixture
def signed_from_dossier(from_dossier, alice) -> Screening:
    screening = sign_screening(from_dossier, alice)
    assert screening.status == Screening.Status.SIGNED
    links, overrides = rows(screening)
    assert len(links) == 1 and len(overrides) == 1
    return screening


SIGNED_WRITES = [
    ("UPDATE dossiers_screeningdossier SET dossier_answers = '{}' WHERE screening_id = %s", "dossier links"),
    (
        "UPDATE dossiers_screeningdossier SET lot_revision_id = product_revision_id WHERE screening_id = %s",
        "dossier links",
    ),
    ("DELETE FROM dossiers_screeningdossier WHERE screening_id = %s", "dossier links"),
    ("UPDATE dossiers_dossieroverride SET value = '\"yes\"' WHERE screening_id = %s", "dossier overrides"),
    ("UPDATE dossiers_dossieroverride SET note = 'changed afterwards' WHERE screening_id = %s", "dossier overrides"),
    ("DELETE FROM dossiers_dossieroverride WHERE screening_id = %s", "dossier overrides"),
]


@pytest.mark.parametrize(("statement", "noun"), SIGNED_WRITES)
def test_plain_sql_cannot_change_the_dossier_rows_of_a_signed_screening(signed_from_dossier, statement, noun):
    before = rows(signed_from_dossier)
    with pytest.raises(DatabaseError, match=f"the {noun} of a signed or voided screening cannot change"):
        sql(statement, [signed_from_dossier.pk])
    assert rows(signed_from_dossier) == before


def test_plain_sql_cannot_add_an_override_to_a_signed_screening(signed_from_dossier, alice):
    before = rows(signed_from_dossier)
    with pytest.raises(DatabaseError, match="dossier overrides of a signed or voided screening cannot change"):
        sql(
            "INSERT INTO dossiers_dossieroverride (screening_id, question_code, dossier_value, value, note, "
            "created_by_id, created_at) VALUES (%s, 'source_origin', %s, %s, 'added afterwards', %s, %s)",
            [signed_from_dossier.pk, json.dumps("perinatal_msc"), json.dumps("unknown"), alice.pk, timezone.now()],
        )
    assert rows(signed_from_dossier) == before


def test_plain_sql_cannot_move_a_drafts_override_into_a_signed_screening(signed_from_dossier, full_dossier, alice):
    draft = confirm_all_sections(
        screening_start_from_dossier(clinic=full_dossier.clinic, clinician=alice, data=start_data(), lot=full_dossier),
        alice,
        changes={"donor_screening": "unsure"},
        notes=NOTE,
    )
    sql("UPDATE dossiers_dossieroverride SET question_code = 'source_origin' WHERE screening_id = %s", [draft.pk])
    with pytest.raises(DatabaseError, match="cannot change"):
        sql(
            "UPDATE dossiers_dossieroverride SET screening_id = %s WHERE screening_id = %s",
            [signed_from_dossier.pk, draft.pk],
        )
    assert DossierOverride.objects.get(screening=draft).question_code == "source_origin"


def test_a_voided_screenings_dossier_rows_stay_frozen(signed_from_dossier, carol):
    screening = screening_void(screening=signed_from_dossier, user=carol, reason="Entered for the wrong patient.")
    assert screening.status == Screening.Status.VOIDED
    before = rows(screening)
    for statement, _noun in SIGNED_WRITES:
        with pytest.raises(DatabaseError, match="cannot change"):
            sql(statement, [screening.pk])
    assert rows(screening) == before


def test_the_querysets_refuse_bulk_writes_to_a_signed_screenings_dossier_rows(signed_from_dossier):
    links = ScreeningDossier.objects.filter(screening=signed_from_dossier)
    overrides = DossierOverride.objects.filter(screening=signed_from_dossier)
    before = rows(signed_from_dossier)
    with pytest.raises(ScreeningLocked, match="dossier links of signed"):
        links.update(dossier_answers={})
    with pytest.raises(ScreeningLocked, match="dossier overrides of signed"):
        overrides.delete()
    with pytest.raises(ScreeningLocked, match="dossier overrides"):
        overrides.get().delete()
    assert rows(signed_from_dossier) == before


def test_below_the_orm_guards_the_database_still_refuses(signed_from_dossier):
    before = rows(signed_from_dossier)
    with pytest.raises(DatabaseError, match="cannot change"), transaction.atomic():
        ScreeningDossier._base_manager.filter(screening=signed_from_dossier).update(dossier_answers={})
    with pytest.raises(DatabaseError, match="cannot change"), transaction.atomic():
        DossierOverride._base_manager.filter(screening=signed_from_dossier).delete()
    assert rows(signed_from_dossier) == before


def test_a_drafts_dossier_rows_stay_editable(from_dossier):
    assert from_dossier.status != Screening.Status.SIGNED
    sql("UPDATE dossiers_screeningdossier SET dossier_answers = '{}' WHERE screening_id = %s", [from_dossier.pk])
    sql("UPDATE dossiers_dossieroverride SET note = 'Checked again.' WHERE screening_id = %s", [from_dossier.pk])
    assert ScreeningDossier.objects.get(screening=from_dossier).dossier_answers == {}
    assert DossierOverride.objects.get(screening=from_dossier).note == "Checked again."
    sql("DELETE FROM dossiers_dossieroverride WHERE screening_id = %s", [from_dossier.pk])
    assert not DossierOverride.objects.filter(screening=from_dossier).exists()
    assert ScreeningDossier.objects.filter(screening=from_dossier).update(dossier_answers={"lot_number": "F-1"}) == 1


@on_sqlite
def test_the_dossier_triggers_are_installed_on_sqlite(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        installed = dict(cursor.fetchall())
    dossier_triggers = {name: table for name, table in installed.items() if table in (LINKS, OVERRIDES)}
    assert sorted(dossier_triggers) == sorted(
        f"exosafe_{kind}_of_signed_is_frozen_on_{event}"
        for kind in immutability.DOSSIER_TABLES
        for event in ("insert", "update", "delete")
    )


@on_postgresql
def test_the_dossier_triggers_are_installed_and_enabled_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
            [[LINKS, OVERRIDES]],
        )
        installed = cursor.fetchall()
    assert {name: table for name, table, _enabled in installed} == {
        name: table for name, table in immutability.postgresql_trigger_tables().items() if table in (LINKS, OVERRIDES)
    }
    assert len(installed) == 4 and {enabled for *_rest, enabled in installed} == {"O"}


@on_postgresql
@pytest.mark.parametrize("table", [LINKS, OVERRIDES])
def test_postgresql_refuses_to_truncate_the_dossier_rows(signed_from_dossier, table):
    before = rows(signed_from_dossier)
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses a table with foreign-key checks pending
    with pytest.raises(DatabaseError, match="cannot be truncated"):
        sql(f"TRUNCATE {table} CASCADE")
    assert rows(signed_from_dossier) == before
