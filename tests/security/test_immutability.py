"""A signed record and the audit log cannot change through any door, on SQLite and PostgreSQL.

Two layers, each tested on its own: the QuerySets refuse bulk writes that would touch a frozen row
(``ScreeningLocked``, a clear message at the line that tried), and the database's triggers
(``checklist/immutability.py``) refuse every statement that gets past the ORM, so the same writes
through ``_base_manager`` (no guard) or raw SQL fail too. Every attempt must change nothing.
The PostgreSQL runtime role's own limits are in ``test_database_roles.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from checklist import immutability
from checklist.models import Answer, AuditEvent, Screening, ScreeningLocked
from checklist.services.screenings import screening_void

# A stand-in PDF: these tests are about the rows, and WeasyPrint takes a second per signature.
pytestmark = pytest.mark.usefixtures("stub_pdf")

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (.ci/run runs it)")


def fingerprint(screening: Screening) -> tuple:
    """The screening's row, its answers and the whole audit log, read below every guard."""
    row = Screening._base_manager.filter(pk=screening.pk).values().get()
    row["signature_png"] = bytes(row["signature_png"] or b"")
    answers = list(Answer._base_manager.filter(screening_id=screening.pk).order_by("pk").values())
    events = list(AuditEvent._base_manager.order_by("pk").values())
    return row, answers, events


def sql(statement: str, params: list | tuple = ()) -> None:
    """One statement in its own savepoint, with ids as the database stores them."""
    stored = [models.UUIDField().get_db_prep_value(p, connection) if isinstance(p, uuid.UUID) else p for p in params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, stored)


@pytest.fixture
def signed(risky_signed) -> Screening:
    assert risky_signed.status == Screening.Status.SIGNED
    assert risky_signed.answers.exists() and AuditEvent.objects.filter(screening=risky_signed).exists()
    return risky_signed


def _copies_of_answers(screening: Screening) -> list[Answer]:
    return [
        Answer(
            screening_id=a.screening_id,
            question_id=a.question_id,
            value=a.value,
            note="swapped",
            answered_by=a.answered_by,
        )
        for a in Answer._base_manager.filter(screening=screening)
    ]


def _delete_then_bulk_create(screening: Screening) -> None:
    copies = _copies_of_answers(screening)
    Answer.objects.filter(screening=screening).delete()
    Answer.objects.bulk_create(copies)


def _bulk_update_screening(screening: Screening) -> None:
    screening.patient_name = "Someone Else"
    Screening.objects.bulk_update([screening], ["patient_name"])


def _bulk_update_answers(screening: Screening) -> None:
    answers = list(Answer._base_manager.filter(screening=screening))
    for answer in answers:
        answer.note = "rewritten"
    Answer.objects.bulk_update(answers, ["note"])


def _bulk_update_events(screening: Screening) -> None:
    events = list(AuditEvent._base_manager.filter(screening=screening))
    for event in events:
        event.action = "nothing.happened"
    AuditEvent.objects.bulk_update(events, ["action"])


ORM_ATTEMPTS: dict[str, Callable[[Screening], object]] = {
    "screening update patient_name": lambda s: Screening.objects.filter(pk=s.pk).update(patient_name="Someone Else"),
    "screening update pdf_sha256": lambda s: Screening.objects.filter(pk=s.pk).update(pdf_sha256="0" * 64),
    "screening update through the manager": lambda s: Screening.objects.update(decision="decline"),
    "screening bulk_update": _bulk_update_screening,
    "screening delete": lambda s: Screening.objects.filter(pk=s.pk).delete(),
    "answer update": lambda s: Answer.objects.filter(screening=s).update(note="rewritten"),
    "answer update through the screening": lambda s: s.answers.update(value=None),
    "answer bulk_update": _bulk_update_answers,
    "answer delete": lambda s: Answer.objects.filter(screening=s).delete(),
    "answer delete then bulk_create": _delete_then_bulk_create,
    "answer bulk_create into a signed screening": lambda s: Answer.objects.bulk_create(_copies_of_answers(s)),
    "audit event update": lambda s: AuditEvent.objects.filter(screening=s).update(action="nothing.happened"),
    "audit event bulk_update": _bulk_update_events,
    "audit event delete": lambda s: AuditEvent.objects.filter(screening=s).delete(),
    "audit event delete of the whole log": lambda s: AuditEvent.objects.all().delete(),
}


@pytest.mark.parametrize("attempt", ORM_ATTEMPTS, ids=list(ORM_ATTEMPTS))
def test_the_queryset_refuses_every_bulk_write_to_a_signed_record(signed, attempt):
    before = fingerprint(signed)
    with pytest.raises(ScreeningLocked), transaction.atomic():
        ORM_ATTEMPTS[attempt](signed)
    assert fingerprint(signed) == before


def test_the_refusal_names_the_screenings(signed):
    with pytest.raises(
        ScreeningLocked, match=rf"update\(\) would change the signed or voided screening {signed.reference}"
    ):
        Screening.objects.filter(pk=signed.pk).update(patient_name="Someone Else")
    with pytest.raises(ScreeningLocked, match=rf"answers of signed or voided screening {signed.reference}"):
        Answer.objects.filter(screening=signed).delete()


def _base_answers(screening: Screening):
    return Answer._base_manager.filter(screening=screening)


BELOW_THE_QUERYSET: dict[str, tuple[Callable[[Screening], object], str]] = {
    "screening update patient_name": (
        lambda s: Screening._base_manager.filter(pk=s.pk).update(patient_name="Someone Else"),
        "cannot be changed",
    ),
    "screening update pdf_sha256": (
        lambda s: Screening._base_manager.filter(pk=s.pk).update(pdf_sha256="0" * 64),
        "cannot be changed",
    ),
    "screening bulk_update": (
        lambda s: Screening._base_manager.bulk_update([Screening(pk=s.pk, patient_name="X")], ["patient_name"]),
        "cannot be changed",
    ),
    "answer update": (lambda s: _base_answers(s).update(note="rewritten"), "cannot change"),
    "answer delete": (lambda s: _base_answers(s).delete(), "cannot change"),
    "answer bulk_create": (lambda s: Answer._base_manager.bulk_create(_copies_of_answers(s)), "cannot change"),
    "audit event update": (
        lambda s: AuditEvent._base_manager.filter(screening=s).update(action="nothing.happened"),
        "append-only",
    ),
    "audit event delete": (lambda s: AuditEvent._base_manager.filter(screening=s).delete(), "append-only"),
}


@pytest.mark.parametrize("attempt", BELOW_THE_QUERYSET, ids=list(BELOW_THE_QUERYSET))
def test_the_database_refuses_the_same_writes_below_the_queryset(signed, attempt):
    write, message = BELOW_THE_QUERYSET[attempt]
    before = fingerprint(signed)
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        write(signed)
    assert fingerprint(signed) == before


RAW_SQL: dict[str, tuple[str, str]] = {
    "screening patient_name": (
        "UPDATE checklist_screening SET patient_name = 'Someone Else' WHERE id = %s",
        "cannot be changed",
    ),
    "screening pdf_sha256": ("UPDATE checklist_screening SET pdf_sha256 = %s WHERE id = %s", "cannot be changed"),
    "screening signature": ("UPDATE checklist_screening SET signature_png = NULL WHERE id = %s", "cannot be changed"),
    "screening ticked statements": (
        "UPDATE checklist_screening SET acknowledged_codes = '[]' WHERE id = %s",
        "cannot be changed",
    ),
    "screening findings": (
        "UPDATE checklist_screening SET findings_snapshot = NULL WHERE id = %s",
        "cannot be changed",
    ),
    "screening unsigned": ("UPDATE checklist_screening SET status = 'draft' WHERE id = %s", "cannot be changed"),
    "screening voided with another change": (
        "UPDATE checklist_screening SET status = 'voided', void_reason = 'x', patient_name = 'Other' WHERE id = %s",
        "cannot be changed",
    ),
    "screening delete": ("DELETE FROM checklist_screening WHERE id = %s", "cannot be deleted"),
    "answer update": ("UPDATE checklist_answer SET note = 'tampered' WHERE screening_id = %s", "cannot change"),
    "answer delete": ("DELETE FROM checklist_answer WHERE screening_id = %s", "cannot change"),
    "answer insert": (
        "INSERT INTO checklist_answer (screening_id, question_id, value, note, answered_by_id, updated_at) "
        "SELECT screening_id, question_id, value, 'added', answered_by_id, updated_at FROM checklist_answer "
        "WHERE screening_id = %s",
        "cannot change",
    ),
    "audit event update": ("UPDATE checklist_auditevent SET action = 'nothing' WHERE screening_id = %s", "append-only"),
    "audit event delete": ("DELETE FROM checklist_auditevent WHERE screening_id = %s", "append-only"),
}


@pytest.mark.parametrize("attempt", RAW_SQL, ids=list(RAW_SQL))
def test_raw_sql_through_the_apps_connection_cannot_change_a_signed_record(signed, attempt):
    statement, message = RAW_SQL[attempt]
    params = ["0" * 64, signed.pk] if "%s WHERE" in statement else [signed.pk]
    before = fingerprint(signed)
    with pytest.raises(IntegrityError, match=message):
        sql(statement, params)
    assert fingerprint(signed) == before


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _replace_row(table: str, row_id, changes: dict[str, str]) -> None:
    """Write over an existing row with one INSERT: INSERT OR REPLACE on SQLite (which deletes the
    old row without firing delete triggers), INSERT ... ON CONFLICT DO UPDATE on PostgreSQL."""
    columns = _columns(table)
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f'%s AS "{c}"' if c in changes else f'"{c}"' for c in columns)
    params = [changes[c] for c in columns if c in changes] + [row_id]
    select = f"SELECT {values} FROM {table} WHERE id = %s"  # noqa: S608 - the table's own column names
    if connection.vendor == "sqlite":
        sql(f"INSERT OR REPLACE INTO {table} ({names}) {select}", params)
    else:
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in changes)
        sql(f"INSERT INTO {table} ({names}) {select} ON CONFLICT (id) DO UPDATE SET {updates}", params)


def test_an_insert_cannot_write_over_a_signed_record(signed):
    before = fingerprint(signed)
    with pytest.raises(IntegrityError):
        _replace_row("checklist_screening", signed.pk, {"patient_name": "Someone Else"})
    answer = Answer._base_manager.filter(screening=signed).first()
    with pytest.raises(IntegrityError):
        _replace_row("checklist_answer", answer.pk, {"note": "rewritten"})
    event = AuditEvent._base_manager.filter(screening=signed).first()
    with pytest.raises(IntegrityError):
        _replace_row("checklist_auditevent", event.pk, {"action": "nothing.happened"})
    assert fingerprint(signed) == before


def test_an_answer_of_a_draft_cannot_be_moved_into_a_signed_screening(signed, make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="clean")
    before = fingerprint(signed)
    with pytest.raises(ScreeningLocked, match="would move answers into"):
        Answer.objects.filter(screening=draft).update(screening=signed)
    with pytest.raises(IntegrityError, match="cannot change"):
        sql("UPDATE checklist_answer SET screening_id = %s WHERE screening_id = %s", [signed.pk, draft.pk])
    assert fingerprint(signed) == before


def test_voiding_is_the_one_change_a_signed_record_takes(signed, carol):
    voided = screening_void(screening=signed, user=carol, reason="Wrong patient")
    assert Screening.objects.get(pk=signed.pk).status == Screening.Status.VOIDED
    before = fingerprint(voided)
    for statement in (
        "UPDATE checklist_screening SET void_reason = 'changed my mind' WHERE id = %s",
        "UPDATE checklist_screening SET status = 'signed', void_reason = '', voided_at = NULL WHERE id = %s",
        "UPDATE checklist_screening SET patient_name = 'Someone Else' WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="cannot be changed"):
            sql(statement, [voided.pk])
    with pytest.raises(IntegrityError, match="cannot change"):
        sql("DELETE FROM checklist_answer WHERE screening_id = %s", [voided.pk])
    with pytest.raises(ScreeningLocked):
        Screening.objects.filter(pk=voided.pk).update(void_reason="changed my mind")
    assert fingerprint(voided) == before


def test_voiding_in_plain_sql_is_allowed_once(signed):
    sql(
        "UPDATE checklist_screening SET status = 'voided', void_reason = 'wrong patient', voided_at = %s WHERE id = %s",
        [timezone.now(), signed.pk],
    )
    assert Screening.objects.get(pk=signed.pk).status == Screening.Status.VOIDED


def test_storing_the_pdf_once_is_allowed_and_never_again(tasks_queued, make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    assert not screening.pdf_sha256
    update = "UPDATE checklist_screening SET {} WHERE id = %s"
    for refused in ("pdf = 'x.pdf', patient_name = 'Other'", "pdf = 'x.pdf'", "pdf_sha256 = 'abc'"):
        with pytest.raises(IntegrityError, match="cannot be changed"):
            sql(update.format(refused), [screening.pk])
    sql(update.format("pdf = 'x.pdf', pdf_sha256 = %s"), ["a" * 64, screening.pk])
    assert Screening.objects.get(pk=screening.pk).pdf_sha256 == "a" * 64
    for refused in ("pdf = 'y.pdf', pdf_sha256 = 'bbb'", "pdf = '', pdf_sha256 = ''"):
        with pytest.raises(IntegrityError, match="cannot be changed"):
            sql(update.format(refused), [screening.pk])


@pytest.mark.renders_pdf
def test_the_pdf_of_a_signed_screening_is_stored_by_the_background_render(risky_signed):
    stored = Screening.objects.get(pk=risky_signed.pk)
    assert stored.pdf and len(stored.pdf_sha256) == 64


def test_a_draft_and_its_answers_stay_editable(make_screening, clinic_a, alice):
    draft = make_screening(clinic_a, alice, answers="clean")
    assert Screening.objects.filter(pk=draft.pk).update(patient_name="Corrected Name") == 1
    sql("UPDATE checklist_screening SET patient_reference = 'R-2' WHERE id = %s", [draft.pk])
    answers = Answer.objects.filter(screening=draft)
    assert answers.update(note="checked again") == answers.count() > 0
    sql("UPDATE checklist_answer SET note = 'again' WHERE screening_id = %s", [draft.pk])
    deleted, _ = answers.delete()
    assert deleted > 0 and not Answer.objects.filter(screening=draft).exists()
    assert Screening.objects.get(pk=draft.pk).patient_name == "Corrected Name"


def test_a_draft_is_never_deleted_either(draft):
    with pytest.raises(ScreeningLocked):
        Screening.objects.filter(pk=draft.pk).delete()
    with pytest.raises(IntegrityError, match="cannot be deleted"):
        sql("DELETE FROM checklist_screening WHERE id = %s", [draft.pk])
    assert Screening.objects.filter(pk=draft.pk).exists()


def test_the_triggers_allow_what_the_models_allow():
    assert frozenset(immutability.VOID_COLUMNS) == Screening.VOID_FIELDS
    assert frozenset(immutability.PDF_FILL_COLUMNS) == Screening.PDF_FILL_FIELDS
    assert tuple(Screening.LOCKED_STATUSES) == immutability.LOCKED_STATUSES


def _installed_sqlite_triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return dict(cursor.fetchall())


@on_sqlite
def test_every_sqlite_trigger_is_installed_as_written_for_todays_columns(db):
    installed = _installed_sqlite_triggers()
    assert installed == immutability.sqlite_triggers(_columns("checklist_screening"))
    frozen = installed["exosafe_screening_signed_is_frozen"]
    for field in Screening._meta.concrete_fields:
        assert f'NEW."{field.column}" IS OLD."{field.column}"' in frozen or field.column in Screening.VOID_FIELDS


@on_sqlite
def test_migrate_puts_back_a_trigger_that_went_missing(db):
    sql('DROP TRIGGER "exosafe_audit_event_append_only_on_delete"')
    call_command("migrate", verbosity=0)
    assert "exosafe_audit_event_append_only_on_delete" in _installed_sqlite_triggers()


@on_sqlite
def test_a_migration_that_fails_leaves_the_triggers_in_place(db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("a migration failed")

    monkeypatch.setattr(MigrationExecutor, "migrate", fail)
    with pytest.raises(RuntimeError, match="a migration failed"):
        call_command("migrate", verbosity=0)
    assert set(_installed_sqlite_triggers()) == set(immutability.sqlite_triggers(_columns("checklist_screening")))


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_the_triggers_come_back_after_a_migration_rebuilds_the_tables(risky_signed):
    """What an AlterField does on SQLite: copy the table into a new one and drop the old, with its
    triggers (and a rebuild of the screenings table fails while the answers' triggers exist)."""
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    with connection.schema_editor() as editor:
        for model in (Screening, Answer, AuditEvent):
            editor._remake_table(model)
    assert not _installed_sqlite_triggers()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(_installed_sqlite_triggers()) == set(immutability.sqlite_triggers(_columns("checklist_screening")))
    with pytest.raises(IntegrityError, match="cannot be changed"):
        sql("UPDATE checklist_screening SET patient_name = 'Someone Else' WHERE id = %s", [risky_signed.pk])


@on_postgresql
def test_every_postgresql_trigger_is_installed_enabled_and_none_of_pgtriggers(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND (c.relname LIKE 'checklist%%' OR c.relname LIKE 'dossiers%%')"
        )
        rows = cursor.fetchall()
    assert {name: table for name, table, _enabled in rows} == immutability.postgresql_trigger_tables()
    assert {enabled for _name, _table, enabled in rows} == {"O"}


@on_postgresql
def test_the_pgtrigger_ignore_setting_switches_nothing_off(signed):
    names = list(immutability.postgresql_trigger_tables())
    before = fingerprint(signed)
    for statement, message in (
        ("UPDATE checklist_screening SET patient_name = 'Someone Else' WHERE id = %s", "cannot be changed"),
        ("DELETE FROM checklist_answer WHERE screening_id = %s", "cannot change"),
        ("DELETE FROM checklist_auditevent WHERE screening_id = %s", "append-only"),
    ):
        with pytest.raises(IntegrityError, match=message), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(names) + "}"])
            cursor.execute(statement, [signed.pk])
    assert fingerprint(signed) == before


@on_postgresql
@pytest.mark.parametrize("table", immutability.PROTECTED_TABLES)
def test_even_the_owner_cannot_truncate_without_switching_the_triggers_off(signed, table):
    before = fingerprint(signed)
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses a table with foreign-key checks pending
    with pytest.raises(DatabaseError, match="cannot be truncated"):
        sql(f"TRUNCATE {table} CASCADE")
    assert fingerprint(signed) == before
