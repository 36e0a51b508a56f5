"""The progress list shown on every page of the workflow."""

from __future__ import annotations

import re

from django.urls import reverse, set_script_prefix

from checklist.steps import ConsentStep, DetailsStep, ScreeningFlow
from checklist.templatetags.exosafe import progress_items


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="step-item[^"]*">.*?</li>', html, flags=re.S)


def test_the_current_step_is_marked_and_the_consent_is_not_a_link_until_reached(alice_client, draft):
    html = alice_client.get(reverse("checklist:screening-step", args=[draft.pk, "regulatory"])).content.decode()
    items = _items(html)
    assert len(items) == 9
    current = [i for i in items if "is-current" in i]
    assert len(current) == 1 and 'aria-current="step"' in current[0] and "Regulatory status" in current[0]
    assert "<a " not in items[-1] and "Consent" in items[-1]
    assert "is-complete" in items[0] and "(complete)" in items[0]  # the patient's details
    assert "(complete)" not in items[2]


def test_titles_are_escaped(draft):
    flow = ScreeningFlow(draft)
    details, consent = DetailsStep(flow, "/a/"), ConsentStep(flow, "/c/")
    details.title, consent.title = "Patient <b>details</b>", "Consent & sign"
    flow.steps = [details, consent]
    html = progress_items(flow.progress("details"))
    assert "<b>" not in html and "&lt;b&gt;" in html and "Consent &amp; sign" in html


def test_step_links_follow_the_url_prefix(draft):
    set_script_prefix("/exosafe/")
    try:
        prefixed = ScreeningFlow(draft).steps
    finally:
        set_script_prefix("/")
    plain = ScreeningFlow(draft).steps
    assert all(s.url.startswith("/exosafe/screenings/") for s in prefixed)
    assert [s.url for s in plain] == [p.url.removeprefix("/exosafe") for p in prefixed]
