"""Installing every content file: a fresh database ends on the newest version; an upgrade installs
a new version as a draft beside the published one and its screenings, until it is published.

The content files are written to a temporary directory (v1 and next versions built from it in
tests/versions_fixture.py), so these tests do not depend on the real checklist/content/v2.yaml."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from checklist.management.commands import load_checklist
from checklist.models import ChecklistVersion, Question, Screening
from checklist.services.version_moves import screening_move_to_published
from tests.conftest import V1_CONTENT, make_clinic, make_member, start_data
from tests.versions_fixture import write_content_dir

pytestmark = pytest.mark.django_db(transaction=True)
NEWEST = 2  # the next version the upgrade test writes beside v1


@pytest.fixture
def content_dir(tmp_path, monkeypatch):
    """load_checklist reads this directory instead of checklist/content."""
    monkeypatch.setattr(load_checklist, "CONTENT_DIR", tmp_path)
    return tmp_path


def _empty_database():
    call_command("flush", interactive=False, verbosity=0)


def _statuses() -> dict[int, str]:
    return dict(ChecklistVersion.objects.values_list("number", "status"))


def _rows() -> list:
    return list(Question.objects.order_by("id").values_list("id", "code", "prompt"))


def test_a_fresh_install_publishes_the_newest_version_and_retires_the_others(content_dir):
    write_content_dir(content_dir, numbers=(2, 10))  # 10 after 2: number order, not name order
    _empty_database()
    call_command("load_checklist", verbosity=0)
    assert _statuses() == {1: "retired", 2: "retired", 10: "published"}
    assert Question.objects.filter(section__version__number=10, code="added_in_next_version").exists()
    rows, statuses = _rows(), _statuses()
    out = io.StringIO()
    call_command("load_checklist", stdout=out)
    assert _rows() == rows and _statuses() == statuses
    assert "created" not in out.getvalue() and "published" not in out.getvalue()


def test_a_fresh_install_of_v1_alone_publishes_it(content_dir):
    write_content_dir(content_dir, numbers=())
    _empty_database()
    call_command("load_checklist", verbosity=0)
    assert _statuses() == {1: "published"}


def test_an_empty_content_directory_is_refused(content_dir):
    with pytest.raises(CommandError, match="No content files"):
        call_command("load_checklist", verbosity=0)


def test_an_upgrade_installs_the_new_version_as_a_draft_and_keeps_the_open_screenings(content_dir):
    from checklist.demo import CLEAN_ANSWERS, answer_all_sections, sign_screening

    _empty_database()
    call_command("load_checklist", V1_CONTENT, verbosity=0)
    write_content_dir(content_dir, numbers=(NEWEST,))
    clinic = make_clinic("Upgrade Clinic")
    clinician = make_member(clinic, "upgrader")
    from checklist.services.screenings import screening_start

    draft = screening_start(clinic=clinic, clinician=clinician, data=start_data())
    answer_all_sections(draft, CLEAN_ANSWERS, clinician)
    signed = screening_start(clinic=clinic, clinician=clinician, data=start_data())
    signed = sign_screening(answer_all_sections(signed, CLEAN_ANSWERS, clinician), clinician)
    snapshot = Screening.objects.get(pk=signed.pk).findings_snapshot

    call_command("load_checklist", verbosity=0)
    assert _statuses()[1] == "published"
    assert _statuses()[NEWEST] == "draft"
    rows = _rows()
    call_command("load_checklist", verbosity=0)  # idempotent on the upgraded database
    assert _rows() == rows and _statuses()[NEWEST] == "draft"

    out = io.StringIO()
    call_command("publish_checklist", str(NEWEST), stdout=out)
    assert f"Published v{NEWEST}; v1 retired." in out.getvalue()
    assert _statuses()[1] == "retired" and _statuses()[NEWEST] == "published"
    signed.refresh_from_db()
    assert signed.version.number == 1 and signed.findings_snapshot == snapshot
    draft.refresh_from_db()
    assert draft.version.number == 1  # until moved
    screening_move_to_published(screening=draft, user=clinician)
    draft.refresh_from_db()
    assert draft.version.number == NEWEST and draft.answers.exists()
    call_command("load_checklist", verbosity=0)
    assert _statuses()[NEWEST] == "published"


def test_publish_checklist_refuses_what_is_not_a_draft():
    with pytest.raises(CommandError, match="only a draft"):
        call_command("publish_checklist", "1")
    with pytest.raises(CommandError, match="no checklist v999"):
        call_command("publish_checklist", "999")


def test_publish_checklist_dry_run_publishes_nothing():
    from tests.versions_fixture import build_next_version

    nxt = build_next_version(publish=False)
    out = io.StringIO()
    call_command("publish_checklist", str(nxt.version.number), "--dry-run", stdout=out)
    assert f"v{nxt.version.number} against v1:" in out.getvalue() and "added" in out.getvalue()
    nxt.version.refresh_from_db()
    assert nxt.version.status == "draft"
