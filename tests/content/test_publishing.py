"""Installing every content file: a fresh database ends on the newest version; an upgrade installs
a new version as a draft beside the published one and its screenings, until it is published.

Expectations come from the content files themselves, not from any one version's wording."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from checklist.content_schema import CONTENT_DIR
from checklist.management.commands.load_checklist import content_file_number
from checklist.models import ChecklistVersion, Question, Screening
from checklist.services.version_moves import screening_move_to_published
from tests.conftest import V1_CONTENT, make_clinic, make_member, start_data

pytestmark = pytest.mark.django_db(transaction=True)

NUMBERS = sorted(content_file_number(p) for p in CONTENT_DIR.glob("v*.yaml"))
NEWEST = NUMBERS[-1]


def _empty_database():
    call_command("flush", interactive=False, verbosity=0)


def _statuses() -> dict[int, str]:
    return dict(ChecklistVersion.objects.values_list("number", "status"))


def _rows() -> list:
    return list(Question.objects.order_by("id").values_list("id", "code", "prompt"))


def test_a_fresh_install_publishes_the_newest_version_and_retires_the_others():
    _empty_database()
    call_command("load_checklist", verbosity=0)
    assert _statuses() == {n: ("published" if n == NEWEST else "retired") for n in NUMBERS}
    rows, statuses = _rows(), _statuses()
    out = io.StringIO()
    call_command("load_checklist", stdout=out)
    assert _rows() == rows and _statuses() == statuses
    assert "created" not in out.getvalue() and "published" not in out.getvalue()


@pytest.mark.skipif(NEWEST < 2, reason="only one content file")
def test_an_upgrade_installs_the_new_version_as_a_draft_and_keeps_the_open_screenings():
    from checklist.demo import CLEAN_ANSWERS, answer_all_sections, sign_screening

    _empty_database()
    call_command("load_checklist", V1_CONTENT, verbosity=0)
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
