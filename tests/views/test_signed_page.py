"""A signed screening's page: what it says about the record frozen at signing."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from checklist.selectors import checklist_spec


def test_a_clean_record_lists_the_uncertainties_its_summary_says_are_listed_below(
    alice_client, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    page = alice_client.get(reverse("checklist:screening-detail", args=[screening.pk])).content.decode()
    summary = page.index("listed below.")
    facts = checklist_spec(screening.version).key_facts
    assert facts
    for fact in facts:
        assert page.index(escape(fact.text)) > summary
