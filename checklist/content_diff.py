"""What one checklist version changes from another: for the editor's confirmation before
publishing (a draft against the published version) and the admin's comparison of any two versions.

Pure: two read models (:mod:`checklist.spec`) in, a list of changes out. Rows are matched by their
stable codes (a choice by its question's code and its value), so a text edited in place shows as
changed, and a code renamed shows as one removed and one added, which is what it is to a screening.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from checklist.spec import ChecklistSpec, ConditionSpec
from checklist.vocabulary import Level

# The kinds of content, in the order the page lists them, with their names in the singular.
KINDS = (
    ("section", _("Section")),
    ("question", _("Question")),
    ("choice", _("Choice")),
    ("rule", _("Risk rule")),
    ("key_fact", _("Key fact")),
    ("acknowledgement", _("Statement the patient ticks")),
    ("teach_back", _("Teach-back question")),
    ("teach_back_choice", _("Teach-back choice")),
    ("jurisdiction", _("Jurisdiction")),
)
# Keys, and the rows nested below a row (compared as rows of their own). Positions are left out:
# one question inserted would otherwise show every later question as changed.
_SKIPPED = frozenset({"code", "section_code", "questions", "choices", "value"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ContentChange:
    """One row added, removed or changed; for a change, each field that differs."""

    kind: str
    kind_label: str
    name: str  # the code, or "question code: value" for a choice
    change: str  # "added", "removed" or "changed"
    title: str  # the row's text as the editor knows it: a prompt, a label, a title
    fields: tuple[FieldChange, ...] = ()


def _as_text(value: Any) -> str:
    if isinstance(value, Level):
        return str(value.label)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(value))
    if isinstance(value, tuple):
        return "; ".join(_condition_text(v) if isinstance(v, ConditionSpec) else str(v) for v in value)
    return "" if value is None else str(value)


def _condition_text(condition: ConditionSpec) -> str:
    subject = condition.question or condition.context_key or ""
    return f"{subject} in {{{', '.join(sorted(condition.values))}}}"


def _fields(row: Any) -> dict[str, str]:
    values = {f.name: _as_text(getattr(row, f.name)) for f in dataclasses.fields(row) if f.name not in _SKIPPED}
    section_code = getattr(row, "section_code", None)
    if section_code is not None:
        values["section"] = section_code
    return values


def _title(row: Any) -> str:
    for name in ("prompt", "label", "title", "text", "clinician_flag", "name"):
        text = getattr(row, name, "")
        if text:
            return str(text)
    return ""


def _rows(checklist: ChecklistSpec) -> dict[str, dict[str, Any]]:
    """Every row of a version, by kind and by its key."""
    rows: dict[str, dict[str, Any]] = {kind: {} for kind, _label in KINDS}
    for section in checklist.sections:
        rows["section"][section.code] = section
        for question in section.questions:
            rows["question"][question.code] = question
            for choice in question.choices:
                rows["choice"][f"{question.code}: {choice.value}"] = choice
    for kind, items in (
        ("rule", checklist.rules),
        ("key_fact", checklist.key_facts),
        ("acknowledgement", checklist.acknowledgements),
    ):
        for item in items:
            rows[kind][item.code] = item
    for teach_back in checklist.teach_back:
        rows["teach_back"][teach_back.code] = teach_back
        for tb_choice in teach_back.choices:
            rows["teach_back_choice"][f"{teach_back.code}: {tb_choice.value}"] = tb_choice
    for jurisdiction in checklist.jurisdictions:
        rows["jurisdiction"][jurisdiction.code] = jurisdiction
    return rows


def content_changes(earlier: ChecklistSpec | None, later: ChecklistSpec) -> list[ContentChange]:
    """The rows ``later`` adds, removes and changes compared with ``earlier`` (any two versions:
    a draft against the published one, or v1 against v2).

    With no earlier version (nothing published yet), every row is added.
    """
    before = _rows(earlier) if earlier is not None else {kind: {} for kind, _label in KINDS}
    after = _rows(later)
    changes: list[ContentChange] = []
    for kind, label in KINDS:
        old, new = before[kind], after[kind]
        for key, row in new.items():
            if key not in old:
                changes.append(ContentChange(kind, str(label), key, "added", _title(row)))
        for key, row in old.items():
            if key not in new:
                changes.append(ContentChange(kind, str(label), key, "removed", _title(row)))
        for key, row in new.items():
            if key not in old:
                continue
            old_fields, new_fields = _fields(old[key]), _fields(row)
            differing = tuple(
                FieldChange(name, old_fields.get(name, ""), value)
                for name, value in new_fields.items()
                if old_fields.get(name, "") != value
            )
            if differing:
                changes.append(ContentChange(kind, str(label), key, "changed", _title(row), differing))
    return changes


def changes_by_kind(changes: list[ContentChange]) -> list[tuple[str, list[ContentChange]]]:
    """The changes grouped under their kind's label, in the page's order, leaving out empty kinds."""
    return [
        (str(label), [c for c in changes if c.kind == kind])
        for kind, label in KINDS
        if any(c.kind == kind for c in changes)
    ]
