"""load_checklist installs the content file, agrees with it, and is idempotent."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.management import CommandError, call_command

from checklist.content_schema import CONTENT_DIR, ContentError, load_content_file, parse_content, read_yaml
from checklist.models import ChecklistVersion, Choice, Jurisdiction, JurisdictionRecord, Question, Reference
from checklist.selectors import checklist_spec
from checklist.services.checklist_versions import ContentConflict, checklist_content_load
from tests.conftest import login_verified

V1 = CONTENT_DIR / "v1.yaml"


def test_the_database_agrees_with_the_content_file(version):
    content = load_content_file(V1)
    assert checklist_spec(version).same_version_content(content.checklist)
    assert set(Reference.objects.values_list("code", flat=True)) >= set(content.checklist.references)
    assert Jurisdiction.objects.count() == len(content.checklist.jurisdictions)
    assert version.jurisdiction_records.count() == len(content.checklist.jurisdictions)


def _content_rows() -> tuple:
    return (
        list(Question.objects.values_list("id", "code")),
        list(Choice.objects.values_list("id", "label", "level")),
        list(Jurisdiction.objects.values_list("id", "code", "name", "position")),
        list(JurisdictionRecord.objects.order_by("id").values_list("id", "version__number", "summary")),
        list(Reference.objects.order_by("id").values()),
    )


def test_running_it_twice_changes_nothing(version):
    before = _content_rows()
    out = io.StringIO()
    call_command("load_checklist", str(V1), stdout=out)
    assert "unchanged" in out.getvalue()
    assert "updated" not in out.getvalue()
    assert before == _content_rows()
    assert ChecklistVersion.objects.count() == 1


def test_an_upgrade_installs_v2_as_a_draft_its_publishing_retires_v1_and_a_second_run_changes_nothing(version):
    out = io.StringIO()
    call_command("load_checklist", stdout=out)  # every checklist/content/v*.yaml, in order
    assert "v1.yaml: v1: unchanged" in out.getvalue() and "v2.yaml: v2: created" in out.getvalue()
    statuses = dict(ChecklistVersion.objects.values_list("number", "status"))
    assert statuses == {1: ChecklistVersion.Status.PUBLISHED, 2: ChecklistVersion.Status.DRAFT}
    call_command("publish_checklist", "2", verbosity=0)
    statuses = dict(ChecklistVersion.objects.values_list("number", "status"))
    assert statuses == {1: ChecklistVersion.Status.RETIRED, 2: ChecklistVersion.Status.PUBLISHED}
    v2 = load_content_file(CONTENT_DIR / "v2.yaml").checklist
    assert checklist_spec(ChecklistVersion.objects.get(number=2)).same_version_content(v2)
    version.refresh_from_db()
    assert checklist_spec(version).same_version_content(load_content_file(V1).checklist)
    before = _content_rows()
    again = io.StringIO()
    call_command("load_checklist", stdout=again)
    assert "updated" not in again.getvalue() and "created" not in again.getvalue()
    assert _content_rows() == before


def test_v2_has_its_own_jurisdiction_records_and_v1_keeps_its_own(version):
    v1_before = checklist_spec(version).jurisdictions
    call_command("load_checklist", verbosity=0)
    v2 = ChecklistVersion.objects.get(number=2)
    version.refresh_from_db()
    assert checklist_spec(version).jurisdictions == v1_before
    assert checklist_spec(v2).jurisdictions == load_content_file(CONTENT_DIR / "v2.yaml").checklist.jurisdictions
    canada = Jurisdiction.objects.get(code="CA")
    assert canada.records.count() == 2  # one country, one record per version
    assert canada.records.get(version=version).summary != canada.records.get(version=v2).summary


def test_it_refuses_to_change_a_published_version(version):
    raw = read_yaml(V1)
    raw["sections"][0]["questions"][0]["prompt"] = "A different question"
    with pytest.raises(ContentConflict, match="new version number"):
        checklist_content_load(content=parse_content(raw))


def test_a_new_version_number_is_installed_as_a_draft_beside_the_published_one(version):
    raw = read_yaml(V1)
    raw["version"] = 2
    raw["sections"][0]["questions"][0]["prompt"] = "A reworded question"
    report = checklist_content_load(content=parse_content(raw))
    assert report.version_action == "created"
    version.refresh_from_db()
    assert version.status == ChecklistVersion.Status.PUBLISHED
    assert ChecklistVersion.objects.get(number=2).status == ChecklistVersion.Status.DRAFT


def with_uncited_reference(raw: dict) -> dict:
    """The file with one more reference that no published version cites: one still editable in place."""
    raw["references"].insert(0, {"code": "aaa-uncited", "title": "Uncited source", "publisher": "", "date": ""})
    checklist_content_load(content=parse_content(raw))
    return raw


def test_it_updates_a_reference_in_place(version):
    raw = with_uncited_reference(read_yaml(V1))
    raw["references"][0]["title"] = "Corrected title"
    report = checklist_content_load(content=parse_content(raw))
    assert report.references_changed == [raw["references"][0]["code"]]
    assert report.version_action == "unchanged"


def test_it_refuses_to_change_a_reference_a_published_version_cites(version):
    raw = read_yaml(V1)
    cited = Question.objects.filter(section__version=version, references__isnull=False).values_list(
        "references__code", flat=True
    )[0]
    entry = next(r for r in raw["references"] if r["code"] == cited)
    before = Reference.objects.get(code=cited).title
    entry["title"] = "Corrected title"
    with pytest.raises(ContentConflict, match=f"Reference '{cited}' is cited by checklist v1.*new code"):
        checklist_content_load(content=parse_content(raw))
    assert Reference.objects.get(code=cited).title == before


def test_it_refuses_to_change_a_jurisdiction_record_of_a_published_version(version):
    raw = read_yaml(V1)
    raw["jurisdictions"][0]["summary"] = "Rewritten."
    with pytest.raises(ContentConflict, match="new version number"):
        checklist_content_load(content=parse_content(raw))
    assert not JurisdictionRecord.objects.filter(summary="Rewritten.").exists()


def test_it_refuses_to_rename_a_jurisdiction_a_published_version_lists(version):
    raw = read_yaml(V1)
    raw["version"] = 2
    raw["jurisdictions"][0]["name"] = "Renamed"
    with pytest.raises(ContentConflict, match=f"Jurisdiction {raw['jurisdictions'][0]['code']} .*new code"):
        checklist_content_load(content=parse_content(raw))
    assert not Jurisdiction.objects.filter(name="Renamed").exists()
    assert not ChecklistVersion.objects.filter(number=2).exists()


def test_a_new_version_may_change_what_it_says_about_a_jurisdiction(version):
    raw = read_yaml(V1)
    raw["version"] = 2
    raw["jurisdictions"][0]["summary"] = "Rewritten for v2."
    checklist_content_load(content=parse_content(raw))
    code = raw["jurisdictions"][0]["code"]
    assert JurisdictionRecord.objects.get(version__number=2, jurisdiction__code=code).summary == "Rewritten for v2."
    assert JurisdictionRecord.objects.get(version=version, jurisdiction__code=code).summary != "Rewritten for v2."


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][0]["questions"][0].update(answer_type="essay"), "expected one of"),
        (lambda d: d["sections"][0]["questions"][1].update(references=["no-such-ref"]), "unknown reference"),
        (lambda d: d["sections"][0]["questions"][1].update(colour="blue"), "unknown key 'colour'"),
        (lambda d: d["rules"][0]["when"].append({"context": "route", "values": ["teleport"]}), "not a value of route"),
        (lambda d: d["sections"][0]["questions"][0].update(depends_on="nope", depends_on_values=["yes"]), "earlier"),
        (lambda d: d["sections"][1]["questions"].append(copy.deepcopy(d["sections"][0]["questions"][1])), "duplicate"),
        (lambda d: d["sections"][2].update(code="review"), "name of a workflow step"),
    ],
)
def test_it_reports_invalid_content_with_its_path(mutate, message):
    raw = read_yaml(V1)
    mutate(raw)
    with pytest.raises(ContentError, match=message):
        parse_content(raw)


def test_the_command_explains_a_broken_file(tmp_path, db):
    broken = tmp_path / "v9.yaml"
    broken.write_text("version: [unclosed")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("load_checklist", str(broken))


def test_a_reference_changed_in_place_reaches_the_cached_read_model(version):
    raw = with_uncited_reference(read_yaml(V1))
    version.refresh_from_db()
    code = raw["references"][0]["code"]
    assert checklist_spec(version).references[code].title != "Corrected title"  # now cached
    raw["references"][0]["title"] = "Corrected title"
    checklist_content_load(content=parse_content(raw))
    version.refresh_from_db()
    assert checklist_spec(version).references[code].title == "Corrected title"


def test_a_reference_edited_in_the_admin_reaches_the_cached_read_model(version, client, admin_user):
    login_verified(client, admin_user)
    with_uncited_reference(read_yaml(V1))
    version.refresh_from_db()
    reference = Reference.objects.order_by("code").first()
    assert checklist_spec(version).references[reference.code].title == reference.title
    response = client.post(
        f"/admin/checklist/reference/{reference.pk}/change/",
        {"code": reference.code, "title": "Edited title", "publisher": reference.publisher, "date": reference.date},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/checklist/reference/"
    version.refresh_from_db()
    assert checklist_spec(version).references[reference.code].title == "Edited title"
