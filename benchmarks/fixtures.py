"""The benchmark's own database: built fresh on every run, then copied and grown for the scale test.

Two clinics, one per checklist size, each in a database file of its own so that each works under
its published version (publishing one retires the other): clinic "1x" under the published
checklist (v2, as a fresh install publishes it), clinic "5x" under a version with five times its
questions (every section, rule, key fact and acknowledgement copied five times with suffixed
codes), published in its own file. Each clinic has a fully answered draft (risky answers,
teach-back answered, awaiting signature), a signed screening with its stored PDF, and enough
drafts to fill more than one dashboard page.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from checklist.content_schema import CONTENT_DIR, ContentFile, parse_content, read_yaml
from checklist.demo import RISKY_ANSWERS, answer_all_sections, answer_teach_back, demo_start_data, sign_screening
from checklist.models import ChecklistVersion, Jurisdiction, Question, Screening, ScreeningNamePrefix
from checklist.services.checklist_versions import checklist_content_publish
from checklist.services.screenings import screening_start
from checklist.services.signed_pdf import screening_pdf_store
from clinic.models import Clinic, Membership

DASHBOARD_DRAFTS = 30
SMALL_TOTAL = 100
BIG_TOTAL = 100_000
FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena"]
LAST_NAMES = ["Alvarez", "Brown", "Chen", "Dubois", "Eze", "Fischer", "Haddad", "Ivanova", "Jensen"]
# The common surname a clinician searches for: about 15% of the big file's patients have it.
COMMON_SURNAME = "Garcia"
COMMON_SURNAME_SHARE = 0.15
# A common name of two common words. The small file's older screenings all have it, so that each
# name search compared lists a full page in both files (see benchmarks.scale).
COMMON_NAME = f"{FIRST_NAMES[0]} {COMMON_SURNAME}"
# The patient a clinician looks up by name: one row in the small database and in the big one.
SEARCH_NAME = "Zelda Quill"


@dataclass(frozen=True)
class ClinicFixture:
    label: str
    database: Path
    clinic_id: int
    user_id: int
    session_key: str
    draft_id: str
    signed_id: str
    section_codes: tuple[str, ...]
    questions: int


@dataclass(frozen=True)
class Fixtures:
    small: Path
    big: Path
    x1: ClinicFixture
    x5: ClinicFixture
    search_reference: str


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# The content file a fresh install publishes last, and so the one clinics work under.
PUBLISHED_CONTENT = "v2.yaml"


def multiplied_content(times: int, number: int) -> ContentFile:
    """The published content file with every question, rule and statement ``times`` over, as
    version ``number`` (its teach-back questions once: they are a short quiz, not the checklist)."""
    raw = read_yaml(CONTENT_DIR / PUBLISHED_CONTENT)
    raw.pop("seed_coverage", None)
    raw["version"] = number
    raw["change_notes"] = f"Benchmark only: {PUBLISHED_CONTENT} with {times}x its questions."

    def code(value: str, k: int) -> str:
        return value if k == 0 else f"{value}-x{k + 1}"

    for section in raw["sections"]:
        questions = []
        for k in range(times):
            for question in section["questions"]:
                q = copy.deepcopy(question)
                q["code"] = code(q["code"], k)
                if q.get("depends_on"):
                    q["depends_on"] = code(q["depends_on"], k)
                questions.append(q)
        section["questions"] = questions
    rules = []
    for k in range(times):
        for rule in raw.get("rules") or []:
            r = copy.deepcopy(rule)
            r["code"] = code(r["code"], k)
            for condition in r["when"]:
                if "question" in condition:
                    condition["question"] = code(condition["question"], k)
            rules.append(r)
    raw["rules"] = rules
    for key in ("key_facts", "acknowledgements"):
        raw[key] = [{**copy.deepcopy(s), "code": code(s["code"], k)} for k in range(times) for s in raw[key]]
    return parse_content(raw)


def _clinic(label: str) -> tuple[Clinic, Any]:
    clinic = Clinic.objects.create(
        name=f"Benchmark clinic {label}",
        address="1 Harbour Road\nSpringfield",
        phone="+1 555 0100",
        adverse_event_contact="Call the clinic nurse line: +1 555 0101 (9am-5pm)",
        default_jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    user = get_user_model().objects.create_user(
        username=f"bench-{label}", password=None, first_name="Bench", last_name=f"Clinician {label}"
    )
    Membership.objects.create(user=user, clinic=clinic, role=Membership.Role.CLINICIAN)
    return clinic, user


def _start(clinic: Clinic, user, name: str, **extra: Any) -> Screening:
    return screening_start(clinic=clinic, clinician=user, data=demo_start_data(patient_name=name, **extra))


def ready_to_sign(screening: Screening, user, *, note: str = "") -> Screening:
    """Every section answered (risky) and the teach-back answered: what the consent page asks first."""
    screening = answer_all_sections(screening, RISKY_ANSWERS, user, note=note)
    answer_teach_back(screening, user)
    return Screening.objects.get(pk=screening.pk)


def _populate_clinic(label: str, database: Path) -> ClinicFixture:
    clinic, user = _clinic(label)
    for i in range(DASHBOARD_DRAFTS):
        _start(clinic, user, f"Dashboard Patient {i}", patient_reference=f"MRN-{label}-{i:03d}")
    signed = _start(clinic, user, f"Signed Patient {label}")
    answer_all_sections(signed, RISKY_ANSWERS, user, note="Checked against the product leaflet.")
    signed = sign_screening(signed, user)
    # Signing queues the PDF for the background worker; the pages measured need it stored now.
    screening_pdf_store(screening=signed)
    draft = _start(clinic, user, SEARCH_NAME if label == "1x" else f"Draft Patient {label}")
    draft = ready_to_sign(draft, user, note="Checked against the product leaflet.")
    client = Client()
    client.force_login(user)
    spec_sections = draft.version.sections.order_by("position").values_list("code", flat=True)
    return ClinicFixture(
        label=label,
        database=database,
        clinic_id=clinic.pk,
        user_id=user.pk,
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value,
        draft_id=str(draft.pk),
        signed_id=str(signed.pk),
        section_codes=tuple(spec_sections),
        questions=Question.objects.filter(section__version=draft.version).count(),
    )


def _random_name(rng: random.Random) -> str:
    surname = COMMON_SURNAME if rng.random() < COMMON_SURNAME_SHARE else rng.choice(LAST_NAMES)
    return f"{rng.choice(FIRST_NAMES)} {surname}"


def _filler(
    clinic_id: int, user_id: int, count: int, *, start: int, seed: int, patient_name: Callable[[random.Random], str]
) -> None:
    """``count`` screenings created over the five years before today, inserted in batches.

    Plain ``executemany`` of rows prepared by the model's own fields: ``bulk_create`` spends most
    of its time building and converting 100,000 model instances, and would stamp them all "now".
    """
    rng = random.Random(seed)
    prototype = Screening(
        clinic_id=clinic_id,
        version=ChecklistVersion.objects.get(status=ChecklistVersion.Status.PUBLISHED),
        clinician_id=user_id,
        product_name="GlowVesicle Serum",
        intended_use="skin",
        route="topical",
        jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    fields = Screening._meta.concrete_fields
    base = {f.attname: f.get_db_prep_save(getattr(prototype, f.attname), connection) for f in fields}
    varying = {f.attname: f for f in fields}
    quote = connection.ops.quote_name
    # Identifiers quoted by the backend, every value a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(Screening._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    prefix_sql = "INSERT INTO {} ({}, {}, {}, {}) VALUES (%s, %s, %s, %s)".format(  # noqa: S608
        quote(ScreeningNamePrefix._meta.db_table),
        quote("clinic_id"),
        quote("screening_id"),
        quote("prefix"),
        quote("created_at"),
    )
    prefix_rows: list[list[Any]] = []
    oldest = timezone.now() - dt.timedelta(days=5 * 365)
    step = dt.timedelta(days=5 * 365 - 1) / max(count, 1)
    rows = []
    for i in range(count):
        n = start + i
        when = oldest + step * i
        status = rng.choice(Screening.Status.values)
        locked = status in Screening.LOCKED_STATUSES
        voided = status == Screening.Status.VOIDED
        row = {
            **base,
            "id": uuid.uuid4().hex,
            "reference": f"EXO-B{n // 10_000:04d}-{n % 10_000:04d}",
            "patient_name": patient_name(rng),
            "patient_dob": dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
            "patient_reference": f"MRN-{n:06d}",
            "status": status,
            "overall_risk": rng.choice(["none", "caution", "red_flag"]),
            "signed_at": when if locked else None,
            "attested_by_id": user_id if locked else None,
            "voided_at": when if voided else None,
            "void_reason": "Entered twice." if voided else "",
            "created_at": when,
            "updated_at": when,
        }
        for name in ("patient_dob", "signed_at", "voided_at", "created_at", "updated_at"):
            row[name] = varying[name].get_db_prep_save(row[name], connection)
        rows.append([row[f.attname] for f in fields])
        # The name-search index, as the services keep it for screenings made through the app.
        prefix_rows.extend(
            [clinic_id, row["id"], prefix, row["created_at"]]
            for prefix in ScreeningNamePrefix.prefixes_of(row["patient_name"])
        )
        if len(rows) == 10_000:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
                cursor.executemany(prefix_sql, prefix_rows)
            rows, prefix_rows = [], []
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            cursor.executemany(prefix_sql, prefix_rows)


def _checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def use_database(path: Path) -> None:
    """Point the default connection at another SQLite file (the views close it after each request)."""
    connection.close()
    connection.settings_dict["NAME"] = path


def _new_database(path: Path) -> None:
    """An empty SQLite file in WAL mode (the load test's readers go on while a worker saves a
    session), migrated, with the content files installed as a fresh install does."""
    connection.close()
    _remove_database(path)
    sqlite3.connect(path).execute("PRAGMA journal_mode=WAL").close()
    use_database(path)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_checklist", verbosity=0)


def build() -> Fixtures:
    """A fresh small database (100 screenings), a copy grown to 100,000 screenings, and the 5x
    clinic's own database."""
    small = Path(settings.DATABASES["default"]["NAME"])
    big = small.with_name("big.sqlite3")
    x5_file = small.with_name("x5.sqlite3")
    small.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    _remove_database(big)

    _new_database(x5_file)
    with transaction.atomic():
        number = (ChecklistVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        checklist_content_publish(content=multiplied_content(5, number))
    x5 = _populate_clinic("5x", x5_file)
    _checkpoint()

    _new_database(small)
    x1 = _populate_clinic("1x", small)
    with transaction.atomic():
        _filler(
            x1.clinic_id,
            x1.user_id,
            SMALL_TOTAL - Screening.objects.count(),
            start=0,
            seed=1,
            patient_name=lambda rng: COMMON_NAME,
        )
    search_reference = Screening.objects.get(pk=x1.draft_id).reference
    _checkpoint()

    shutil.copyfile(small, big)
    use_database(big)
    with transaction.atomic():
        _filler(x1.clinic_id, x1.user_id, BIG_TOTAL - SMALL_TOTAL, start=SMALL_TOTAL, seed=2, patient_name=_random_name)
    # No ANALYZE: the app never runs it on SQLite, so its query plans are those of no statistics.
    _checkpoint()
    use_database(small)
    return Fixtures(small=small, big=big, x1=x1, x5=x5, search_reference=search_reference)


@dataclass(frozen=True)
class SigningLoad:
    """Clinician A with a pool of screenings awaiting signature; clinician B with a draft of their own."""

    signer_session_key: str
    pool: tuple[str, ...]
    reader_session_key: str
    reader_draft_id: str
    reader_section: str


def _member(clinic: Clinic, username: str, password: str | None) -> Any:
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name="Bench", last_name=username.title()
    )
    Membership.objects.create(user=user, clinic=clinic, role=Membership.Role.CLINICIAN)
    return user


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def signing_load(clinic_id: int, *, pool_size: int, password: str) -> SigningLoad:
    """Two more clinicians of one clinic: A (signing, with the project's password hasher) and B (reading)."""
    clinic = Clinic.objects.get(pk=clinic_id)
    signer = _member(clinic, f"bench-signer-{clinic_id}", password)
    reader = _member(clinic, f"bench-reader-{clinic_id}", None)
    pool = []
    for i in range(pool_size):
        screening = _start(clinic, signer, f"Pool Patient {i}")
        pool.append(str(ready_to_sign(screening, signer).pk))
    draft = _start(clinic, reader, "Reader Patient")
    draft = answer_all_sections(draft, RISKY_ANSWERS, reader, note="Checked against the product leaflet.")
    section = draft.version.sections.order_by("position").values_list("code", flat=True).first()
    return SigningLoad(
        signer_session_key=_session_key(signer),
        pool=tuple(pool),
        reader_session_key=_session_key(reader),
        reader_draft_id=str(draft.pk),
        reader_section=str(section),
    )


def build_fresh() -> int:
    """The published checklist and one clinic on a new database; returns the clinic's id.

    SQLite: a new file (WAL, as ``build`` makes it). PostgreSQL: only an empty database (the
    throwaway one of ``scripts/with_postgres.sh``), never one with tables in it.
    """
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    if connection.vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        _remove_database(path)
        sqlite3.connect(path).execute("PRAGMA journal_mode=WAL").close()
    elif connection.introspection.table_names():
        raise RuntimeError("The PostgreSQL benchmark builds on an empty database only (use scripts/with_postgres.sh)")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_checklist", verbosity=0)
    clinic, _user = _clinic("load")
    return clinic.pk
