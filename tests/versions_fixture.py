"""A next checklist version built from v1 in the test itself, so that tests of publishing, moving
and re-consent do not depend on the wording of checklist/content/v2.yaml: one question removed,
one added and one choice value renamed, each picked from v1 by what no rule or condition uses."""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from checklist.content_schema import CONTENT_DIR, parse_content, read_yaml
from checklist.models import ChecklistVersion
from checklist.services.checklist_versions import checklist_content_load, checklist_version_publish

V1 = CONTENT_DIR / "v1.yaml"


@dataclass(frozen=True)
class NextVersion:
    version: ChecklistVersion
    removed: str  # a v1 question the new version no longer asks
    added: str  # a question only the new version asks
    renamed_question: str  # a question one of whose choice values was renamed
    old_value: str
    new_value: str


def _unused_by_rules(raw: dict) -> set[str]:
    used = {c["question"] for r in raw["rules"] for c in r["when"] if "question" in c}
    used |= {q["depends_on"] for s in raw["sections"] for q in s["questions"] if q.get("depends_on")}
    return {q["code"] for s in raw["sections"] for q in s["questions"]} - used


@dataclass(frozen=True)
class NextContent:
    """The content of a next version, as a content file would hold it, and what it changes."""

    raw: dict
    removed: str
    added: str
    renamed_question: str
    old_value: str
    new_value: str


def next_version_content(number: int = 90) -> NextContent:
    """v1's content with ``number``, one question removed, one added and one choice value renamed."""
    raw = read_yaml(V1)
    raw["version"] = number
    free = _unused_by_rules(raw)
    single = [q for s in raw["sections"] for q in s["questions"] if q["code"] in free and q["answer_type"] == "single"]
    renamed = single[0]
    old_value = renamed["choices"][-1]["value"]
    renamed["choices"][-1]["value"] = f"{old_value}_renamed"
    section = next(s for s in raw["sections"] if any(q["code"] in free and q is not renamed for q in s["questions"]))
    removed = next(
        q for q in section["questions"] if q["code"] in free and q is not renamed and not q.get("depends_on")
    )
    section["questions"].remove(removed)
    added = copy.deepcopy(removed)
    added["code"] = "added_in_next_version"
    added["prompt"] = "A question only the next version asks?"
    section["questions"].append(added)
    for points in raw.get("seed_coverage", {}).values():
        for i, code in enumerate(points):
            if code == removed["code"]:
                points[i] = added["code"]
    return NextContent(raw, removed["code"], added["code"], renamed["code"], old_value, f"{old_value}_renamed")


def write_content_dir(directory: Path, numbers: tuple[int, ...] = (2,)) -> dict[int, NextContent]:
    """A content directory holding v1.yaml and a next version for each of ``numbers``, for the
    loader's "every vN.yaml in number order" (the real checklist/content is left alone)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(V1, directory / "v1.yaml")
    written = {}
    for number in numbers:
        written[number] = next_version_content(number)
        (directory / f"v{number}.yaml").write_text(yaml.safe_dump(written[number].raw, allow_unicode=True))
    return written


def build_next_version(number: int = 90, *, publish: bool = True) -> NextVersion:
    content = next_version_content(number)
    checklist_content_load(content=parse_content(content.raw))
    version = ChecklistVersion.objects.get(number=number)
    if publish:
        version = checklist_version_publish(version=version)
    return NextVersion(
        version, content.removed, content.added, content.renamed_question, content.old_value, content.new_value
    )
