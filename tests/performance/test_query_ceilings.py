"""Query ceilings: every page a clinician uses stays within 15 SQL statements, whatever the size.

Each page is requested once before it is counted: the published checklist is compiled once per
process, so the first request of a process pays for it and no request after it does. The
benchmarks (``make bench``) measure the same pages with a checklist five times as long.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from checklist.selectors import checklist_spec

CEILING = 15


def _count(client, url: str, django_assert_max_num_queries) -> int:
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(CEILING) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def answered(make_screening, clinic_a, alice):
    """A draft with every question answered: the longest step, review and consent pages."""
    return make_screening(clinic_a, alice, answers="risky")


def _sections_by_size(screening):
    return sorted(checklist_spec(screening.version).sections, key=lambda s: len(s.questions))


@pytest.mark.parametrize("page", ["dashboard", "review", "consent"])
def test_the_page_stays_within_the_ceiling(alice_client, answered, page, django_assert_max_num_queries):
    url = (
        reverse("checklist:dashboard")
        if page == "dashboard"
        else reverse(f"checklist:screening-{page}", args=[answered.pk])
    )
    _count(alice_client, url, django_assert_max_num_queries)


def test_every_step_stays_within_the_ceiling(alice_client, answered, django_assert_max_num_queries):
    for section in _sections_by_size(answered):
        url = reverse("checklist:screening-step", args=[answered.pk, section.code])
        _count(alice_client, url, django_assert_max_num_queries)


def test_a_big_step_costs_the_same_queries_as_a_small_one(alice_client, answered, django_assert_max_num_queries):
    sections = _sections_by_size(answered)
    small, big = sections[0], sections[-1]
    assert len(big.questions) > len(small.questions)
    counts = {
        section.code: _count(
            alice_client,
            reverse("checklist:screening-step", args=[answered.pk, section.code]),
            django_assert_max_num_queries,
        )
        for section in (small, big)
    }
    assert counts[small.code] == counts[big.code], counts


def test_the_dashboard_costs_the_same_queries_for_a_few_and_a_full_page(
    alice_client, make_screening, clinic_a, alice, settings, django_assert_max_num_queries
):
    settings.SCREENINGS_PER_PAGE = 10
    url = reverse("checklist:dashboard")
    make_screening(clinic_a, alice)
    few = _count(alice_client, url, django_assert_max_num_queries)
    for _ in range(12):
        make_screening(clinic_a, alice)
    full = _count(alice_client, url, django_assert_max_num_queries)
    assert few == full


@pytest.mark.renders_pdf
def test_the_pdf_download_stays_within_the_ceiling(
    make_screening, clinic_a, alice, alice_client, django_assert_max_num_queries
):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    _count(alice_client, reverse("checklist:screening-pdf", args=[signed.pk]), django_assert_max_num_queries)


def _dossiers(clinic, admin, version, *, products: int, lots: int, prefix: str):
    """``products`` products with ``lots`` lots between them, every one with its answers."""
    from dossiers.services import lot_save, product_save
    from tests.dossiers.conftest import PRODUCT_DATA, lot_data, scope_answers

    made = [
        product_save(
            clinic=clinic,
            actor=admin,
            data={**PRODUCT_DATA, "name": f"{prefix} product {n:02d}"},
            answers=scope_answers(version, "product"),
        )
        for n in range(products)
    ]
    return [
        lot_save(
            clinic=clinic,
            actor=admin,
            product=made[n % products],
            data=lot_data(lot_number=f"{prefix}-{n:03d}", has_certificate=n % 3 != 0),
            answers=scope_answers(version, "lot", lot_number=f"{prefix}-{n:03d}"),
        )
        for n in range(lots)
    ]


def _dossier_pages(screening, lot) -> list[str]:
    return [
        reverse("checklist:dashboard"),
        reverse("checklist:screening-start"),
        reverse("dossiers:list"),
        reverse("dossiers:product", args=[lot.product_id]),
        reverse("dossiers:lot", args=[lot.pk]),
        reverse("checklist:screening-step", args=[screening.pk, "source"]),
        reverse("checklist:screening-step", args=[screening.pk, "supervision"]),
        reverse("checklist:screening-review", args=[screening.pk]),
        reverse("checklist:screening-teach-back", args=[screening.pk]),
        reverse("checklist:screening-consent", args=[screening.pk]),
    ]


def test_the_dossier_pages_stay_flat_and_within_the_ceiling_with_10_products_and_100_lots(
    alice_client, clinic_a, alice, carol, version_v2, django_assert_max_num_queries
):
    from checklist.demo import answer_teach_back
    from dossiers.services import screening_start_from_dossier
    from tests.conftest import start_data
    from tests.dossiers.conftest import confirm_all_sections

    def counts(lot) -> dict[str, int]:
        screening = confirm_all_sections(
            screening_start_from_dossier(clinic=clinic_a, clinician=alice, data=start_data(), lot=lot), alice
        )
        answer_teach_back(screening, alice)  # v2 opens the consent once the patient's teach-back is right
        return {
            url.replace(str(screening.pk), "S").replace(str(lot.pk), "L").replace(str(lot.product_id), "P"): _count(
                alice_client, url, django_assert_max_num_queries
            )
            for url in _dossier_pages(screening, lot)
        }

    (first,) = _dossiers(clinic_a, carol, version_v2, products=1, lots=1, prefix="A")
    few = counts(first)
    lots = _dossiers(clinic_a, carol, version_v2, products=9, lots=99, prefix="B")
    many = counts(lots[0])
    print(f"\nqueries per page, 1 product and 1 lot: {few}\nqueries per page, 10 products and 100 lots: {many}")
    assert few == many


def test_a_step_page_reads_no_country_record_and_no_dossier_for_a_screening_typed_in_full(
    alice_client, version_v2, make_screening, clinic_a, alice, django_assert_max_num_queries
):
    """The risk context and the teach-back texts take the country's facts from the compiled
    version, and a screening typed in full learns that it has no dossier from its own query."""
    screening = make_screening(clinic_a, alice, answers="risky")
    assert screening.version == version_v2 and screening.jurisdiction_record is not None
    section = checklist_spec(screening.version).sections[0]
    url = reverse("checklist:screening-step", args=[screening.pk, section.code])
    assert alice_client.get(url).status_code == 200
    with django_assert_max_num_queries(CEILING) as captured:
        assert alice_client.get(url).status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in captured if " FROM " in q["sql"]]
    assert "checklist_jurisdictionrecord" not in tables, tables
    assert "dossiers_screeningdossier" not in tables, tables
