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


def test_the_pdf_download_stays_within_the_ceiling(
    make_screening, clinic_a, alice, alice_client, django_assert_max_num_queries
):
    signed = make_screening(clinic_a, alice, answers="clean", signed=True)
    _count(alice_client, reverse("checklist:screening-pdf", args=[signed.pk]), django_assert_max_num_queries)
