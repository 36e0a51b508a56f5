"""The admin compares any two checklist versions with the same table as the publish confirmation."""

from __future__ import annotations

from checklist.content_diff import content_changes
from checklist.selectors import checklist_spec
from tests.admin.test_content_editing import VERSIONS, action, editor_client, page_text, v1  # noqa: F401
from tests.versions_fixture import build_next_version

COMPARE = VERSIONS + "compare/"


def test_it_shows_what_one_version_changes_from_another(editor_client, v1):  # noqa: F811
    nxt = build_next_version(publish=False)
    text = page_text(editor_client.get(COMPARE, {"from": "1", "to": str(nxt.version.number)}))
    changes = content_changes(checklist_spec(v1), checklist_spec(nxt.version))
    assert f"v{nxt.version.number} has {len(changes)} changes from v1" in text
    for code in (nxt.removed, nxt.added, f"{nxt.renamed_question}: {nxt.new_value}"):
        assert code in text


def test_by_default_it_compares_the_newest_version_with_the_one_before(editor_client, v1):  # noqa: F811
    nxt = build_next_version()
    text = page_text(editor_client.get(COMPARE))
    assert f"v{nxt.version.number} has" in text and "from v1" in text


def test_either_direction_and_the_same_version_work(editor_client, v1):  # noqa: F811
    nxt = build_next_version(publish=False)
    backwards = page_text(editor_client.get(COMPARE, {"from": str(nxt.version.number), "to": "1"}))
    assert "v1 has" in backwards and nxt.added in backwards
    same = page_text(editor_client.get(COMPARE, {"from": "1", "to": "1"}))
    assert "The two versions have the same content." in same


def test_an_unknown_version_is_refused_clearly(editor_client, v1):  # noqa: F811
    text = page_text(editor_client.get(COMPARE, {"from": "1", "to": "nope"}))
    assert "There is no such version" in text


def test_the_version_list_links_to_the_comparison_and_the_publish_page_uses_the_same_table(
    editor_client,  # noqa: F811
    v1,  # noqa: F811
):
    assert 'href="/admin/checklist/checklistversion/compare/"' in editor_client.get(VERSIONS).content.decode()
    nxt = build_next_version(publish=False)
    page = action(editor_client, "publish", nxt.version).content.decode()
    assert 'class="content-changes"' in page and nxt.added in page


def test_it_is_for_staff_only(client, v1):  # noqa: F811
    response = client.get(COMPARE)
    assert response.status_code == 302 and "/login/" in response["Location"]
