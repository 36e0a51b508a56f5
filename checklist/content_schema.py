"""The checklist content file: parse and check it into the read model of :mod:`checklist.spec`.

A content file (``checklist/content/v1.yaml``) is the reviewed source of a checklist version. Its
keys are the read model's field names. This module knows nothing of the database: it reports
every problem with the path where it was found, so an editor can fix the file in one pass, and
returns a :class:`ContentFile` whose ``checklist`` is compared with, and installed into, the
database by :mod:`checklist.services.checklist_versions`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checklist.spec import (
    ChecklistSpec,
    ChoiceSpec,
    ConditionSpec,
    JurisdictionSpec,
    QuestionSpec,
    ReferenceSpec,
    RuleSpec,
    SectionSpec,
    StatementSpec,
    TeachBackChoiceSpec,
    TeachBackQuestionSpec,
)
from checklist.teach_back import placeholder_problems
from checklist.vocabulary import (
    CHOICE_TYPES,
    CONTEXT_VALUES,
    DATE_CONTEXT_KEYS,
    FIXED_STEP_CODES,
    YES_NO_UNSURE_LABELS,
    AnswerType,
    Level,
    RiskLevel,
    Scope,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
FLAG_KEYS = ("clinician_flag", "patient_flag", "ask", "references")

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_JURISDICTION_CODE = re.compile(r"^[A-Z]{2,10}$")
_REF_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ACCESSED_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContentError(ValueError):
    """The content file is not valid. ``problems`` lists every problem found, with its path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The checklist content is not valid:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class ContentFile:
    """A parsed content file: the checklist, and what only the file holds."""

    checklist: ChecklistSpec
    change_notes: str = ""
    # Which codes cover each point of the seed documents (checked by the content tests).
    seed_coverage: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The sources of each section's introduction, by section code, as also kept on each
    # ``SectionSpec.references`` (optional in a file, so v1 reads as before; v2 cites every
    # introduction, checked by its content tests).
    section_references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class _Checker:
    """Collects problems instead of stopping at the first, and normalises what it reads."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.reference_codes: set[str] = set()
        self.section_references: dict[str, tuple[str, ...]] = {}

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, required: set[str], optional: set[str] | frozenset = frozenset()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "expected a mapping")
            return {}
        for key in sorted(required - value.keys()):
            self.fail(path, f"missing key '{key}'")
        for key in sorted(value.keys() - required - optional):
            self.fail(path, f"unknown key '{key}'")
        return value

    def text(self, value: Any, path: str, *, allow_empty: bool = False) -> str:
        if value is None and allow_empty:
            return ""
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.fail(path, "expected non-empty text" if not allow_empty else "expected text")
            return ""
        return " ".join(value.split()) if "\n" not in value.strip() else value.strip()

    def code(self, value: Any, path: str, pattern: re.Pattern = _CODE) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(path, f"{value!r} is not a valid code")
            return str(value)
        return value

    def items(self, value: Any, path: str) -> list:
        if not isinstance(value, list):
            self.fail(path, "expected a list")
            return []
        return value

    def unique(self, codes: list[str], path: str) -> None:
        seen = set()
        for code in codes:
            if code in seen:
                self.fail(path, f"duplicate code '{code}'")
            seen.add(code)

    def refs(self, value: Any, path: str, *, required: bool = True) -> tuple[str, ...]:
        codes = self.items(value if value is not None else [], path)
        if required and not codes:
            self.fail(path, "cite at least one reference")
        for code in codes:
            if code not in self.reference_codes:
                self.fail(path, f"unknown reference '{code}'")
        return tuple(sorted(str(code) for code in codes))


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _references(c: _Checker, raw: Any) -> dict[str, ReferenceSpec]:
    references = []
    for i, item in enumerate(c.items(raw, "references")):
        path = f"references[{i}]"
        m = c.mapping(item, path, {"code", "title"}, {"publisher", "date", "url", "accessed"})
        date = str(_date_text(m.get("date", "")) or "")
        if date and not _REF_DATE.match(date):
            c.fail(f"{path}.date", "use YYYY, YYYY-MM or YYYY-MM-DD")
        url = str(m.get("url") or "")
        if url and not url.startswith("https://"):
            c.fail(f"{path}.url", "use an https:// address or leave it empty")
        # When a web page's content was checked: a full date, and only for a page with an address.
        accessed = str(_date_text(m.get("accessed", "")) or "")
        if accessed and not _ACCESSED_DATE.match(accessed):
            c.fail(f"{path}.accessed", "use YYYY-MM-DD")
        elif accessed and not url:
            c.fail(f"{path}.accessed", "an accessed date needs the page's url")
        references.append(
            ReferenceSpec(
                code=c.code(m.get("code"), f"{path}.code"),
                title=c.text(m.get("title"), f"{path}.title"),
                publisher=c.text(m.get("publisher", ""), f"{path}.publisher", allow_empty=True),
                date=date,
                url=url,
                accessed=accessed,
            )
        )
    c.unique([r.code for r in references], "references")
    c.reference_codes = {r.code for r in references}
    return {r.code: r for r in references}


_JURISDICTION_OPTIONAL = {
    "no_approved_products",
    "bans_human_derived_cosmetics",
    "report_name",
    "report_url",
    "report_phone",
    "report_instructions",
}


def _jurisdictions(c: _Checker, raw: Any) -> tuple[JurisdictionSpec, ...]:
    jurisdictions = []
    for i, item in enumerate(c.items(raw, "jurisdictions")):
        path = f"jurisdictions[{i}]"
        required = {"code", "name", "regulator", "summary", "last_reviewed", "references"}
        m = c.mapping(item, path, required, _JURISDICTION_OPTIONAL)
        reviewed = str(_date_text(m.get("last_reviewed")))
        try:
            dt.date.fromisoformat(reviewed)
        except ValueError:
            c.fail(f"{path}.last_reviewed", "expected a date YYYY-MM-DD")
        jurisdictions.append(
            JurisdictionSpec(
                code=c.code(m.get("code"), f"{path}.code", _JURISDICTION_CODE),
                name=c.text(m.get("name"), f"{path}.name"),
                regulator=c.text(m.get("regulator"), f"{path}.regulator"),
                summary=c.text(m.get("summary"), f"{path}.summary"),
                last_reviewed=reviewed,
                no_approved_products=bool(m.get("no_approved_products", True)),
                bans_human_derived_cosmetics=bool(m.get("bans_human_derived_cosmetics", False)),
                report_name=c.text(m.get("report_name", ""), f"{path}.report_name", allow_empty=True),
                report_url=str(m.get("report_url") or ""),
                report_phone=str(m.get("report_phone") or ""),
                report_instructions=c.text(
                    m.get("report_instructions", ""), f"{path}.report_instructions", allow_empty=True
                ),
                references=c.refs(m.get("references"), f"{path}.references"),
            )
        )
    c.unique([j.code for j in jurisdictions], "jurisdictions")
    return tuple(jurisdictions)


def _statements(c: _Checker, raw: Any, key: str) -> tuple[StatementSpec, ...]:
    out = []
    for i, item in enumerate(c.items(raw, key)):
        path = f"{key}[{i}]"
        m = c.mapping(item, path, {"code", "text", "references"})
        out.append(
            StatementSpec(
                code=c.code(m.get("code"), f"{path}.code"),
                text=c.text(m.get("text"), f"{path}.text"),
                references=c.refs(m.get("references"), f"{path}.references"),
            )
        )
    c.unique([s.code for s in out], key)
    return tuple(out)


TEACH_BACK_MIN, TEACH_BACK_MAX = 3, 5


def _teach_back_text(c: _Checker, value: Any, path: str) -> str:
    text = c.text(value, path)
    for problem in placeholder_problems(text):
        c.fail(path, problem)
    return text


def _teach_back(c: _Checker, raw: Any) -> tuple[TeachBackQuestionSpec, ...]:
    """Teach-back questions: each with two to five choices, exactly one right, and the
    explanation read together after a wrong answer. Optional: a version without them has no
    teach-back step."""
    if raw is None:
        return ()
    questions = []
    items = c.items(raw, "teach_back")
    if items and not TEACH_BACK_MIN <= len(items) <= TEACH_BACK_MAX:
        c.fail("teach_back", f"give {TEACH_BACK_MIN} to {TEACH_BACK_MAX} questions (it has {len(items)})")
    for i, item in enumerate(items):
        path = f"teach_back[{i}]"
        m = c.mapping(item, path, {"code", "prompt", "choices", "explanation", "references"})
        choices = []
        for ci, citem in enumerate(c.items(m.get("choices"), f"{path}.choices")):
            cpath = f"{path}.choices[{ci}]"
            cm = c.mapping(citem, cpath, {"value", "label"}, {"correct"})
            correct = cm.get("correct", False)
            if not isinstance(correct, bool):
                c.fail(f"{cpath}.correct", "expected true or false")
            choices.append(
                TeachBackChoiceSpec(
                    value=c.code(cm.get("value"), f"{cpath}.value"),
                    label=_teach_back_text(c, cm.get("label"), f"{cpath}.label"),
                    correct=correct is True,
                )
            )
        if isinstance(m.get("choices"), list):
            c.unique([ch.value for ch in choices], f"{path}.choices")
            if not 2 <= len(choices) <= 5:
                c.fail(f"{path}.choices", "give two to five choices")
            right = sum(ch.correct for ch in choices)
            if right != 1:
                c.fail(f"{path}.choices", f"mark exactly one choice 'correct: true' (found {right})")
        questions.append(
            TeachBackQuestionSpec(
                code=c.code(m.get("code"), f"{path}.code"),
                prompt=_teach_back_text(c, m.get("prompt"), f"{path}.prompt"),
                choices=tuple(choices),
                explanation=_teach_back_text(c, m.get("explanation"), f"{path}.explanation"),
                references=c.refs(m.get("references"), f"{path}.references"),
            )
        )
    c.unique([q.code for q in questions], "teach_back")
    return tuple(questions)


def _level(c: _Checker, value: Any, path: str, *, allowed: tuple[str, ...] = tuple(RiskLevel.values)) -> Level:
    if value not in allowed:
        c.fail(path, f"expected one of {', '.join(allowed)}")
        return Level.NONE
    return Level.from_code(value)


def _flag(c: _Checker, m: dict, path: str, level: Level) -> dict[str, Any]:
    """The wording of a flag; only a choice or rule that raises one carries it."""
    if level == Level.NONE:
        for key in FLAG_KEYS:
            if key in m:
                c.fail(f"{path}.{key}", "only choices with a risk carry flag text")
        return {}
    return {
        "clinician_flag": c.text(m.get("clinician_flag"), f"{path}.clinician_flag"),
        "patient_flag": c.text(m.get("patient_flag"), f"{path}.patient_flag"),
        "ask": c.text(m.get("ask"), f"{path}.ask"),
        "references": c.refs(m.get("references"), f"{path}.references"),
    }


def _choices(c: _Checker, raw: Any, path: str, answer_type: str) -> tuple[ChoiceSpec, ...]:
    choices = []
    for i, item in enumerate(c.items(raw, path)):
        cpath = f"{path}[{i}]"
        m = c.mapping(item, cpath, {"value"}, {"label", "level", "exclusive", *FLAG_KEYS})
        value = c.code(m.get("value"), f"{cpath}.value")
        exclusive = m.get("exclusive", False)
        if not isinstance(exclusive, bool):
            c.fail(f"{cpath}.exclusive", "expected true or false")
        elif exclusive and answer_type != AnswerType.MULTIPLE:
            c.fail(f"{cpath}.exclusive", "only a choice of a multiple-choice question can be exclusive")
        level = _level(c, m.get("level", RiskLevel.NONE), f"{cpath}.level")
        label = m.get("label") or (YES_NO_UNSURE_LABELS.get(value) if answer_type == AnswerType.YES_NO_UNSURE else None)
        choices.append(
            ChoiceSpec(
                value=value,
                label=c.text(label, f"{cpath}.label"),
                level=level,
                exclusive=exclusive is True,
                **_flag(c, m, cpath, level),
            )
        )
    values = [ch.value for ch in choices]
    c.unique(values, path)
    if answer_type == AnswerType.YES_NO_UNSURE and sorted(values) != ["no", "unsure", "yes"]:
        c.fail(path, "a yes/no/unsure question has exactly the values yes, no and unsure")
    if answer_type != AnswerType.YES_NO_UNSURE and len(values) < 2:
        c.fail(path, "give at least two choices")
    return tuple(choices)


def _known_values(c: _Checker, values: list, path: str, trigger: QuestionSpec | None, trigger_code: Any) -> None:
    if trigger is None:
        return
    for value in values:
        if value not in trigger.choices_by_value:
            c.fail(path, f"'{value}' is not a choice of '{trigger_code}'")


def _question(c: _Checker, raw: Any, path: str, section_code: str, earlier: dict[str, QuestionSpec]) -> QuestionSpec:
    m = c.mapping(
        raw,
        path,
        {"code", "answer_type", "prompt", "patient_text", "why", "references"},
        {"required", "depends_on", "depends_on_values", "choices", "scope"},
    )
    answer_type = m.get("answer_type")
    scope = m.get("scope", Scope.PATIENT)
    if scope not in Scope.values:
        c.fail(f"{path}.scope", f"expected one of {', '.join(Scope.values)}")
    if answer_type not in AnswerType.values:
        c.fail(f"{path}.answer_type", f"expected one of {', '.join(AnswerType.values)}")
    choices: tuple[ChoiceSpec, ...] = ()
    if answer_type in CHOICE_TYPES:
        choices = _choices(c, m.get("choices"), f"{path}.choices", answer_type)
    elif m.get("choices") is not None:
        c.fail(f"{path}.choices", f"a {answer_type} question has no choices")
    depends_on = m.get("depends_on")
    depends_on_values = c.items(m.get("depends_on_values", []), f"{path}.depends_on_values")
    if depends_on is not None:
        trigger = earlier.get(depends_on)
        if trigger is None:
            c.fail(f"{path}.depends_on", "must name an earlier question")
        if not depends_on_values:
            c.fail(f"{path}.depends_on_values", "list the answers that make this question appear")
        _known_values(c, depends_on_values, f"{path}.depends_on_values", trigger, depends_on)
    elif depends_on_values:
        c.fail(f"{path}.depends_on_values", "only a question with depends_on lists these")
    return QuestionSpec(
        code=c.code(m.get("code"), f"{path}.code"),
        section_code=section_code,
        answer_type=str(answer_type),
        prompt=c.text(m.get("prompt"), f"{path}.prompt"),
        patient_text=c.text(m.get("patient_text"), f"{path}.patient_text"),
        why=c.text(m.get("why"), f"{path}.why"),
        required=bool(m.get("required", True)),
        depends_on=depends_on,
        depends_on_values=frozenset(str(v) for v in depends_on_values),
        choices=choices,
        references=c.refs(m.get("references"), f"{path}.references"),
        scope=str(scope),
    )


def _sections(c: _Checker, raw: Any) -> tuple[SectionSpec, ...]:
    sections = []
    questions: dict[str, QuestionSpec] = {}
    for si, item in enumerate(c.items(raw, "sections")):
        spath = f"sections[{si}]"
        m = c.mapping(
            item, spath, {"code", "title", "questions"}, {"clinician_guidance", "patient_intro", "references"}
        )
        code = c.code(m.get("code"), f"{spath}.code")
        references: tuple[str, ...] = ()
        if "references" in m:
            references = c.refs(m.get("references"), f"{spath}.references")
            c.section_references[code] = references
        if code in FIXED_STEP_CODES:
            c.fail(f"{spath}.code", f"'{code}' is the name of a workflow step; choose another code")
        section_questions = []
        for qi, qitem in enumerate(c.items(m.get("questions"), f"{spath}.questions")):
            question = _question(c, qitem, f"{spath}.questions[{qi}]", code, questions)
            if question.code in questions:
                c.fail(f"{spath}.questions[{qi}].code", f"duplicate question code '{question.code}'")
            questions[question.code] = question
            section_questions.append(question)
        if not section_questions:
            c.fail(f"{spath}.questions", "a section needs at least one question")
        sections.append(
            SectionSpec(
                code=code,
                title=c.text(m.get("title"), f"{spath}.title"),
                questions=tuple(section_questions),
                clinician_guidance=c.text(
                    m.get("clinician_guidance", ""), f"{spath}.clinician_guidance", allow_empty=True
                ),
                patient_intro=c.text(m.get("patient_intro", ""), f"{spath}.patient_intro", allow_empty=True),
                references=references,
            )
        )
    c.unique([s.code for s in sections], "sections")
    return tuple(sections)


def _condition(c: _Checker, raw: Any, path: str, checklist: ChecklistSpec) -> ConditionSpec | None:
    """One condition: ``values`` listed, or ``before`` another date (a question's or a fact's), or
    ``missing: true`` (a shown question left unanswered)."""
    if not isinstance(raw, dict) or ("question" in raw) == ("context" in raw):
        c.fail(path, "give exactly one of 'question' or 'context', and 'values'")
        return None
    m = c.mapping(raw, path, set(), {"question", "context", "values", "before", "missing"})
    forms = [k for k in ("values", "before", "missing") if k in m]
    if len(forms) != 1:
        c.fail(path, "give exactly one of 'values', 'before' or 'missing: true'")
        return None
    target = None
    if "question" in m:
        target = checklist.questions_by_code.get(m["question"])
        if target is None:
            c.fail(f"{path}.question", f"unknown question '{m['question']}'")
    elif m["context"] not in CONTEXT_VALUES:
        c.fail(f"{path}.context", f"expected one of {', '.join(CONTEXT_VALUES)}")
        return None
    subject = {"question": m["question"]} if "question" in m else {"context_key": str(m["context"])}
    if "missing" in m:
        if m["missing"] is not True or target is None:
            c.fail(f"{path}.missing", "write 'missing: true' on a question's condition")
        return ConditionSpec(values=frozenset(), missing=True, **subject)
    if "before" in m:
        return _before_condition(c, m, path, checklist, target, subject)
    values = sorted(str(v) for v in c.items(m.get("values"), f"{path}.values"))
    if not values:
        c.fail(f"{path}.values", "list at least one value")
    if target is not None:
        _known_values(c, values, f"{path}.values", target, m["question"])
        return ConditionSpec(values=frozenset(values), **subject)
    if "question" in m:
        return None
    key = m["context"]
    allowed = CONTEXT_VALUES[key] or set(checklist.jurisdictions_by_code)
    if key in DATE_CONTEXT_KEYS:
        c.fail(f"{path}.context", f"{key} is a date: compare it with 'before'")
    for value in values:
        if value not in allowed:
            c.fail(f"{path}.values", f"'{value}' is not a value of {key}")
    return ConditionSpec(values=frozenset(values), context_key=str(key))


def _is_date(target: QuestionSpec | None, context_key: str | None) -> bool:
    if target is not None:
        return target.answer_type == AnswerType.DATE
    return context_key in DATE_CONTEXT_KEYS


def _before_condition(
    c: _Checker, m: Mapping[str, Any], path: str, checklist: ChecklistSpec, target: QuestionSpec | None, subject: dict
) -> ConditionSpec | None:
    """``before: {question: code}`` or ``before: {context: key}``: both sides must be dates."""
    if not _is_date(target, subject.get("context_key")):
        c.fail(path, "'before' compares dates: the subject must be a date question or a date fact")
    other = m["before"]
    if not isinstance(other, dict) or len(other) != 1 or not ({"question", "context"} >= set(other)):
        c.fail(f"{path}.before", "give one of 'question' or 'context'")
        return None
    if "question" in other:
        other_q = checklist.questions_by_code.get(other["question"])
        if other_q is None or other_q.answer_type != AnswerType.DATE:
            c.fail(f"{path}.before.question", f"'{other['question']}' is not a date question")
        return ConditionSpec(values=frozenset(), before_question=str(other["question"]), **subject)
    if other["context"] not in DATE_CONTEXT_KEYS:
        c.fail(f"{path}.before.context", f"expected one of {', '.join(sorted(DATE_CONTEXT_KEYS))}")
    return ConditionSpec(values=frozenset(), before_context=str(other["context"]), **subject)


def _rules(c: _Checker, raw: Any, checklist: ChecklistSpec) -> tuple[RuleSpec, ...]:
    rules = []
    for ri, item in enumerate(c.items(raw or [], "rules")):
        path = f"rules[{ri}]"
        m = c.mapping(item, path, {"code", "level", "when", *FLAG_KEYS})
        level = _level(c, m.get("level"), f"{path}.level", allowed=(RiskLevel.CAUTION, RiskLevel.RED_FLAG))
        if level == Level.NONE:
            level = Level.CAUTION  # already reported; keep checking the rest
        conditions = [
            _condition(c, cm, f"{path}.when[{ci}]", checklist)
            for ci, cm in enumerate(c.items(m.get("when"), f"{path}.when"))
        ]
        if not conditions:
            c.fail(f"{path}.when", "a rule needs at least one condition")
        flag = _flag(c, m, path, level)
        rules.append(
            RuleSpec(
                code=c.code(m.get("code"), f"{path}.code"),
                level=level,
                conditions=tuple(cond for cond in conditions if cond is not None),
                clinician_flag=flag.get("clinician_flag", ""),
                patient_flag=flag.get("patient_flag", ""),
                ask=flag.get("ask", ""),
                references=flag.get("references", ()),
            )
        )
    c.unique([r.code for r in rules], "rules")
    return tuple(rules)


def _seed_coverage(c: _Checker, raw: Any, checklist: ChecklistSpec) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.fail("seed_coverage", "expected a mapping")
        return {}
    known = (
        set(checklist.questions_by_code)
        | {r.code for r in checklist.rules}
        | {s.code for s in checklist.key_facts + checklist.acknowledgements}
    )
    coverage = {}
    for point, codes in raw.items():
        listed = c.items(codes, f"seed_coverage.{point}")
        for code in listed:
            if code not in known:
                c.fail(f"seed_coverage.{point}", f"unknown code '{code}'")
        coverage[str(point)] = tuple(str(code) for code in listed)
    return coverage


def parse_content(raw: Any) -> ContentFile:
    """Check a loaded YAML document and return it as the read model, or raise ContentError."""
    c = _Checker()
    doc = c.mapping(
        raw,
        "file",
        {"version", "references", "jurisdictions", "key_facts", "sections", "acknowledgements"},
        {"change_notes", "rules", "seed_coverage", "teach_back"},
    )
    if not doc:
        raise ContentError(c.problems)
    number = doc.get("version")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        c.fail("version", "expected a whole number of at least 1")
        number = 0
    checklist = ChecklistSpec(
        version_number=number,
        references=_references(c, doc.get("references")),
        jurisdictions=_jurisdictions(c, doc.get("jurisdictions")),
        key_facts=_statements(c, doc.get("key_facts"), "key_facts"),
        acknowledgements=_statements(c, doc.get("acknowledgements"), "acknowledgements"),
        sections=_sections(c, doc.get("sections")),
        teach_back=_teach_back(c, doc.get("teach_back")),
    )
    # Rules name questions and jurisdictions, so they are checked against the rest.
    checklist = dataclasses.replace(checklist, rules=_rules(c, doc.get("rules"), checklist))
    coverage = _seed_coverage(c, doc.get("seed_coverage"), checklist)
    change_notes = c.text(doc.get("change_notes", ""), "change_notes", allow_empty=True)
    if c.problems:
        raise ContentError(c.problems)
    return ContentFile(
        checklist=checklist,
        change_notes=change_notes,
        seed_coverage=coverage,
        section_references=c.section_references,
    )


# libyaml's loader when PyYAML was built with it (its wheels are): the same safe subset of YAML,
# read about eight times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A YAML file's document, read with the safe loader (plain data, no Python objects)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SafeLoader)  # noqa: S506 - a safe loader, C or Python


def load_content_file(path: Path) -> ContentFile:
    """A content file read and checked, or ContentError. The same bytes are parsed once per
    process: the read model is immutable, and parsing v2 costs a tenth of a second."""
    return _parsed_content(path.read_bytes(), path.name)


@functools.lru_cache(maxsize=8)
def _parsed_content(data: bytes, name: str) -> ContentFile:
    try:
        raw = yaml.load(data, Loader=_SafeLoader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise ContentError([f"{name}: not valid YAML: {exc}"]) from None
    return parse_content(raw)
