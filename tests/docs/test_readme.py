"""The README's map of the clinic admin's pages stays true: each page it names opens for a clinic
admin behind the second factor, and the admin-only ones stay closed to a clinician."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

README = Path(settings.BASE_DIR) / "README.md"


def admin_section() -> str:
    text = README.read_text()
    start = text.index("## Where the clinic admin's pages are")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_says_where_the_admin_pages_are_and_that_they_need_a_second_factor():
    section = admin_section()
    for path in ("/staff/", "/audit/", "/admin/", "/verify/"):
        assert f"`{path}`" in section, path
    assert "second factor" in section


def test_every_page_it_names_opens_for_a_clinic_admin(carol_client, make_screening, clinic_a, carol):
    screening = make_screening(clinic_a, carol)
    paths = re.findall(r"^\| `(/[^`]*)` \|", admin_section(), flags=re.MULTILINE)
    assert {"/staff/", "/staff/settings/", "/audit/", "/accounts/"} <= set(paths)
    for path in paths:
        url = path.replace("<id>", str(screening.pk))
        assert carol_client.get(url).status_code == 200, url


def test_the_admin_only_pages_are_closed_to_a_clinician(alice_client):
    for path in ("/staff/", "/staff/settings/", "/audit/"):
        assert alice_client.get(path).status_code == 403, path
