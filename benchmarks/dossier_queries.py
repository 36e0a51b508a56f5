"""2. SQL queries per page of a patient screened from a product and lot dossier, with a clinic
that keeps 1 product and 1 lot against one that keeps 10 products and 100 lots.

Each clinic is built the same way in a database file of its own (``dossiers.sqlite3``, migrated
and loaded as a fresh install is): a clinic profile, its products and lots answering every
product, lot and clinic question calmly, and one screening started from its first lot with every
step confirmed and the teach-back answered. Counted as ``benchmarks.queries`` counts, on the
second of two identical requests; ``tests/performance/test_query_ceilings.py`` keeps the same
pages flat and within 15 in ``make test``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.fixtures import Fixtures, _new_database, use_database
from benchmarks.queries import MAX_QUERIES
from benchmarks.report import Row
from benchmarks.timing import Browser

SIZES = {"1 product, 1 lot": (1, 1), "10 products, 100 lots": (10, 100)}


def _calm_answers(spec, scope: str, **changes: Any) -> dict[str, Any]:
    from checklist.demo import CLEAN_ANSWERS, demo_answers

    calm = demo_answers(spec, CLEAN_ANSWERS)
    return {**{q.code: calm[q.code] for q in spec.questions if q.scope == scope}, **changes}


def _confirm_every_step(screening, user):
    """Every step confirmed: the dossier's answers as they stand, the demo's for the patient's."""
    from checklist.demo import CLEAN_ANSWERS, demo_answers
    from checklist.selectors import checklist_spec, screening_answers
    from checklist.services.screenings import AnswerInput
    from dossiers.services import screening_section_save

    spec = checklist_spec(screening.version)
    typed = demo_answers(spec, CLEAN_ANSWERS, screening.risk_context())
    for section in spec.sections:
        stored = screening_answers(screening)
        answers = {
            q.code: AnswerInput(typed[q.code] if q.scope == "patient" else stored.get(q.code, typed[q.code]))
            for q in section.questions
        }
        screening, _ = screening_section_save(
            screening=screening, section_code=section.code, answers=answers, override_notes={}, user=user
        )
    return screening


def _clinic_with_dossiers(label: str, products: int, lots: int) -> tuple[str, dict[str, str]]:
    """A clinic keeping ``products`` products and ``lots`` lots; its clinician's session key and the
    pages of a screening made from its first lot."""
    from checklist.demo import answer_teach_back, demo_start_data
    from checklist.models import Jurisdiction
    from checklist.selectors import checklist_spec, checklist_version_published
    from checklist.vocabulary import Scope
    from clinic.models import Clinic, Membership
    from dossiers.services import clinic_profile_save, lot_save, product_save, screening_start_from_dossier

    published = checklist_version_published()
    assert published is not None, "load_checklist publishes a version on a fresh database"
    spec = checklist_spec(published)
    clinic = Clinic.objects.create(
        name=f"Dossier clinic {label}",
        address="1 Harbour Road",
        phone="+1 555 0100",
        adverse_event_contact="Call the clinic nurse line: +1 555 0101",
        default_jurisdiction=Jurisdiction.objects.get(code="US"),
    )
    people = get_user_model().objects
    admin = people.create_user(username=f"dossier-admin-{label}", password=None, first_name="Ada", last_name="Admin")
    clinician = people.create_user(username=f"dossier-clin-{label}", password=None, first_name="Cy", last_name="Lin")
    Membership.objects.create(user=admin, clinic=clinic, role=Membership.Role.ADMIN)
    Membership.objects.create(user=clinician, clinic=clinic, role=Membership.Role.CLINICIAN)
    clinic_profile_save(
        clinic=clinic,
        actor=admin,
        data={
            "setting": "licensed",
            "practitioners": "Dr Maya Chen, medical licence NH-MD-20418",
            "emergency_plan": "Adrenaline, oxygen and an AED in the treatment room.",
            "contact_line": "Nurse line +1 555 0101",
            "out_of_hours_advice": "Out of hours, call 911.",
            "adverse_event_reporting": "We report side effects to the maker and to FDA MedWatch.",
        },
        answers=_calm_answers(spec, Scope.CLINIC),
    )
    made = [
        product_save(
            clinic=clinic,
            actor=admin,
            data={"name": f"Product {n:02d}", "maker": "Example Biologics", "label": "cosmetic"},
            answers=_calm_answers(spec, Scope.PRODUCT),
        )
        for n in range(products)
    ]
    today = timezone.localdate()
    first_lot = None
    for n in range(lots):
        lot = lot_save(
            clinic=clinic,
            actor=admin,
            product=made[n % products],
            data={
                "lot_number": f"L-{n:03d}",
                "expiry_date": today + dt.timedelta(days=180),
                "has_certificate": n % 3 != 0,
                "received_on": today - dt.timedelta(days=10),
            },
            answers=_calm_answers(spec, Scope.LOT, lot_number=f"L-{n:03d}"),
        )
        first_lot = first_lot or lot
    assert first_lot is not None
    data = {**demo_start_data(patient_name=f"Dossier Patient {label}"), "product_name": "", "product_maker": ""}
    screening = screening_start_from_dossier(clinic=clinic, clinician=clinician, data=data, lot=first_lot)
    screening = _confirm_every_step(screening, clinician)
    answer_teach_back(screening, clinician)
    client = Client()
    client.force_login(clinician)
    pages = {
        "dashboard": reverse("checklist:dashboard"),
        "start": reverse("checklist:screening-start"),
        "dossier list": reverse("dossiers:list"),
        "product": reverse("dossiers:product", args=[first_lot.product_id]),
        "lot": reverse("dossiers:lot", args=[first_lot.pk]),
        "step source": reverse("checklist:screening-step", args=[screening.pk, "source"]),
        "review": reverse("checklist:screening-review", args=[screening.pk]),
        "consent": reverse("checklist:screening-consent", args=[screening.pk]),
    }
    return client.cookies[settings.SESSION_COOKIE_NAME].value, pages


def run(fixtures: Fixtures) -> list[Row]:
    database = Path(fixtures.small).with_name("dossiers.sqlite3")
    _new_database(database)
    counts: dict[str, dict[str, int]] = {}
    for label, (products, lots) in SIZES.items():
        session_key, pages = _clinic_with_dossiers(label.split(",")[0].replace(" ", "-"), products, lots)
        browser = Browser(session_key)
        for name, path in pages.items():
            counts.setdefault(name, {})[label] = browser.count_queries(path)[0]
    use_database(fixtures.small)
    few, many = SIZES
    return [
        Row(
            "2",
            f"Queries, a patient screened from a dossier: {name} ({few} / {many})",
            f"{by_size[few]} / {by_size[many]}",
            f"equal, <= {MAX_QUERIES}",
            by_size[few] == by_size[many] and max(by_size.values()) <= MAX_QUERIES,
            "the clinic's products and lots",
        )
        for name, by_size in counts.items()
    ]
