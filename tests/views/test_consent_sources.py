"""The consent page cites its sources: key facts, the country summary and each statement ticked
carry numbered marks, and one list of sources says what the numbers are (issue 16)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from checklist.forms_teach_back import answer_field_name
from checklist.selectors import checklist_spec


@pytest.fixture
def consent_page(version_v2, make_screening, clinic_a, alice, alice_client) -> str:
    screening = make_screening(clinic_a, alice, answers="clean")
    spec = checklist_spec(screening.version)
    right = {answer_field_name(q.code): q.right_choice.value for q in spec.teach_back}
    alice_client.post(reverse("checklist:screening-teach-back", args=[screening.pk]), right)
    response = alice_client.get(reverse("checklist:screening-consent", args=[screening.pk]))
    assert response.status_code == 200
    return response.content.decode()


def marks_after(page: str, text: str) -> list[int]:
    """The numbers of the mark printed right after ``text`` (none if there is no mark)."""
    found = re.search(re.escape(text) + r'(?:</label>)?\s*<span class="key-info-cite">\[([\d, ]+)\]</span>', page)
    return [int(n) for n in found.group(1).split(", ")] if found else []


def listed_sources(page: str) -> dict[int, str]:
    block = page.split('class="key-info-sources page-sources')[1].split("</details>")[0]
    return {int(n): re.sub(r"<[^>]+>", "", text) for n, text in re.findall(r'<li value="(\d+)">(.*?)</li>', block)}


def test_key_facts_the_country_summary_and_each_statement_cite_numbered_sources(consent_page):
    sources = listed_sources(consent_page)
    not_a_cure = marks_after(consent_page, "Do not delay or stop a proven treatment to have one.")
    assert not_a_cure and set(not_a_cure) <= set(sources)
    assert any("Exosome Therapy Frequently Asked Questions" in sources[n] for n in not_a_cure)
    country = marks_after(consent_page, "that were not approved have had serious infections.")
    assert country and any("Public Safety Notification on Exosome Products" in sources[n] for n in country)
    statement = marks_after(consent_page, "I should not delay or stop a proven treatment for it.")
    assert statement and set(statement) <= set(sources)
    # The numbers run 1, 2, 3... with no gap, and the key information's own numbers are the same ones.
    assert sorted(sources) == list(range(1, len(sources) + 1))
