"""The pages a clinician uses, by name, for one clinic's fixtures."""

from __future__ import annotations

from django.urls import reverse

from benchmarks.fixtures import ClinicFixture


def clinician_pages(clinic: ClinicFixture) -> dict[str, str]:
    pages = {"dashboard": reverse("checklist:dashboard")}
    for code in clinic.section_codes:
        pages[f"step {code}"] = reverse("checklist:screening-step", args=[clinic.draft_id, code])
    pages["review"] = reverse("checklist:screening-review", args=[clinic.draft_id])
    pages["consent"] = reverse("checklist:screening-consent", args=[clinic.draft_id])
    pages["PDF download"] = reverse("checklist:screening-pdf", args=[clinic.signed_id])
    return pages
