"""The read model's JSON form (``checklist.spec.to_data`` / ``from_data``): what signing freezes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from checklist.selectors import checklist_spec
from checklist.spec import ChecklistSpec, from_data, to_data
from checklist.vocabulary import AnswerType, Level, RiskLevel


@dataclass(frozen=True)
class _Inner:
    level: Level
    when: dt.date


@dataclass(frozen=True)
class _Outer:
    name: str
    count: int
    ratio: float
    flag: bool
    missing: None
    kind: AnswerType
    tags: frozenset[str]
    items: tuple[_Inner, ...]
    listed: list[int]
    by_code: dict[int, str]


def test_every_kind_of_value_has_its_json_form():
    value = _Outer(
        name="a",
        count=3,
        ratio=0.5,
        flag=True,
        missing=None,
        kind=AnswerType.MULTIPLE,
        tags=frozenset({"b", "a"}),
        items=(_Inner(Level.from_code(RiskLevel.RED_FLAG), dt.date(2026, 1, 15)),),
        listed=[1, 2],
        by_code={7: "x"},
    )

    assert to_data(value) == {
        "name": "a",
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "missing": None,
        "kind": AnswerType.MULTIPLE.value,
        "tags": ["a", "b"],
        "items": [{"level": RiskLevel.RED_FLAG.value, "when": "2026-01-15"}],
        "listed": [1, 2],
        "by_code": {"7": "x"},
    }
    assert type(to_data(value)["kind"]) is str  # the enum's plain value, as JSON keeps it


def test_the_published_checklist_survives_its_json_form(version):
    spec = checklist_spec(version)

    data = json.loads(json.dumps(to_data(spec)))

    assert from_data(ChecklistSpec, data) == spec
