"""The checklist content file format: parse, validate and normalise it.

A content file (``checklist/content/v1.yaml``) is the reviewed source of a checklist version.
This module knows nothing of the database: it turns YAML into a canonical ``dict`` and reports
every problem with the path where it was found, so an editor can fix the file in one pass.
The same canonical form is exported from the database to prove that file and database agree.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"

ANSWER_TYPES = ("yes_no_unsure", "single", "multiple", "text", "date")
CHOICE_TYPES = ("yes_no_unsure", "single", "multiple")
RISK_LEVELS = ("none", "caution", "red_flag")
CONTEXT_KEYS = {
    "route": {"topical", "microneedling", "injection_skin", "injection_joint", "intravenous", "inhaled", "other"},
    "intended_use": {"skin", "hair", "joint", "wound", "other"},
    "jurisdiction": None,  # checked against the file's jurisdictions
    "jurisdiction_bans_human_cosmetics": {"yes", "no"},
    "jurisdiction_no_approved_products": {"yes", "no"},
}
YES_NO_UNSURE_LABELS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
FLAG_KEYS = ("clinician_flag", "patient_flag", "ask", "references")

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_JURISDICTION_CODE = re.compile(r"^[A-Z]{2,10}$")
_REF_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class ContentError(ValueError):
    """The content file is not valid. ``problems`` lists every problem found, with its path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The checklist content is not valid:\n  - " + "\n  - ".join(problems))


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, required: set[str], optional: set[str] = frozenset()) -> dict:
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


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def parse_content(raw: Any) -> dict:
    """Validate a loaded YAML document and return it in canonical form, or raise ContentError."""
    c = _Checker()
    doc = c.mapping(
        raw,
        "file",
        {"version", "references", "jurisdictions", "key_facts", "sections", "acknowledgements"},
        {"change_notes", "rules", "seed_coverage"},
    )
    if not doc:
        raise ContentError(c.problems)
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.fail("version", "expected a whole number of at least 1")

    references = []
    for i, item in enumerate(c.items(doc.get("references"), "references")):
        path = f"references[{i}]"
        m = c.mapping(item, path, {"code", "title"}, {"publisher", "date", "url"})
        date = str(_date_text(m.get("date", "")) or "")
        if date and not _REF_DATE.match(date):
            c.fail(f"{path}.date", "use YYYY, YYYY-MM or YYYY-MM-DD")
        url = m.get("url") or ""
        if url and not str(url).startswith("https://"):
            c.fail(f"{path}.url", "use an https:// address or leave it empty")
        references.append(
            {
                "code": c.code(m.get("code"), f"{path}.code"),
                "title": c.text(m.get("title"), f"{path}.title"),
                "publisher": c.text(m.get("publisher", ""), f"{path}.publisher", allow_empty=True),
                "date": date,
                "url": str(url),
            }
        )
    ref_codes = {r["code"] for r in references}
    c.unique([r["code"] for r in references], "references")

    def refs(value: Any, path: str, *, required: bool = True) -> list[str]:
        codes = c.items(value if value is not None else [], path)
        if required and not codes:
            c.fail(path, "cite at least one reference")
        for code in codes:
            if code not in ref_codes:
                c.fail(path, f"unknown reference '{code}'")
        return sorted(str(code) for code in codes)

    jurisdictions = []
    for i, item in enumerate(c.items(doc.get("jurisdictions"), "jurisdictions")):
        path = f"jurisdictions[{i}]"
        m = c.mapping(
            item,
            path,
            {"code", "name", "regulator", "summary", "last_reviewed", "references"},
            {
                "no_approved_products",
                "bans_human_derived_cosmetics",
                "report_name",
                "report_url",
                "report_phone",
                "report_instructions",
            },
        )
        reviewed = _date_text(m.get("last_reviewed"))
        try:
            dt.date.fromisoformat(str(reviewed))
        except ValueError:
            c.fail(f"{path}.last_reviewed", "expected a date YYYY-MM-DD")
        jurisdictions.append(
            {
                "code": c.code(m.get("code"), f"{path}.code", _JURISDICTION_CODE),
                "name": c.text(m.get("name"), f"{path}.name"),
                "regulator": c.text(m.get("regulator"), f"{path}.regulator"),
                "summary": c.text(m.get("summary"), f"{path}.summary"),
                "no_approved_products": bool(m.get("no_approved_products", True)),
                "bans_human_derived_cosmetics": bool(m.get("bans_human_derived_cosmetics", False)),
                "report_name": c.text(m.get("report_name", ""), f"{path}.report_name", allow_empty=True),
                "report_url": str(m.get("report_url") or ""),
                "report_phone": str(m.get("report_phone") or ""),
                "report_instructions": c.text(
                    m.get("report_instructions", ""), f"{path}.report_instructions", allow_empty=True
                ),
                "last_reviewed": str(reviewed),
                "references": refs(m.get("references"), f"{path}.references"),
                "position": i,
            }
        )
    c.unique([j["code"] for j in jurisdictions], "jurisdictions")
    jurisdiction_codes = {j["code"] for j in jurisdictions}

    def statements(key: str) -> list[dict]:
        out = []
        for i, item in enumerate(c.items(doc.get(key), key)):
            path = f"{key}[{i}]"
            m = c.mapping(item, path, {"code", "text", "references"})
            out.append(
                {
                    "code": c.code(m.get("code"), f"{path}.code"),
                    "text": c.text(m.get("text"), f"{path}.text"),
                    "references": refs(m.get("references"), f"{path}.references"),
                }
            )
        c.unique([s["code"] for s in out], key)
        return out

    key_facts = statements("key_facts")
    acknowledgements = statements("acknowledgements")

    def flag(m: dict, path: str, level: str) -> dict:
        if level == "none":
            for key in FLAG_KEYS:
                if key in m:
                    c.fail(f"{path}.{key}", "only choices with a risk carry flag text")
            return {"clinician_flag": "", "patient_flag": "", "ask": "", "references": []}
        return {
            "clinician_flag": c.text(m.get("clinician_flag"), f"{path}.clinician_flag"),
            "patient_flag": c.text(m.get("patient_flag"), f"{path}.patient_flag"),
            "ask": c.text(m.get("ask"), f"{path}.ask"),
            "references": refs(m.get("references"), f"{path}.references"),
        }

    sections = []
    questions_seen: dict[str, dict] = {}
    for si, item in enumerate(c.items(doc.get("sections"), "sections")):
        spath = f"sections[{si}]"
        sm = c.mapping(item, spath, {"code", "title", "questions"}, {"clinician_guidance", "patient_intro"})
        questions = []
        for qi, qitem in enumerate(c.items(sm.get("questions"), f"{spath}.questions")):
            qpath = f"{spath}.questions[{qi}]"
            qm = c.mapping(
                qitem,
                qpath,
                {"code", "type", "prompt", "patient_text", "why", "references"},
                {"required", "show_if", "choices"},
            )
            qcode = c.code(qm.get("code"), f"{qpath}.code")
            answer_type = qm.get("type")
            if answer_type not in ANSWER_TYPES:
                c.fail(f"{qpath}.type", f"expected one of {', '.join(ANSWER_TYPES)}")
            choices = []
            raw_choices = qm.get("choices")
            if answer_type in CHOICE_TYPES:
                for ci, citem in enumerate(c.items(raw_choices, f"{qpath}.choices")):
                    cpath = f"{qpath}.choices[{ci}]"
                    cm = c.mapping(citem, cpath, {"value"}, {"label", "risk", *FLAG_KEYS})
                    value = c.code(cm.get("value"), f"{cpath}.value")
                    level = cm.get("risk", "none")
                    if level not in RISK_LEVELS:
                        c.fail(f"{cpath}.risk", f"expected one of {', '.join(RISK_LEVELS)}")
                        level = "none"
                    label = cm.get("label") or YES_NO_UNSURE_LABELS.get(value if answer_type == "yes_no_unsure" else "")
                    choices.append(
                        {
                            "value": value,
                            "label": c.text(label, f"{cpath}.label"),
                            "risk": level,
                            **flag(cm, cpath, level),
                        }
                    )
                values = [ch["value"] for ch in choices]
                c.unique(values, f"{qpath}.choices")
                if answer_type == "yes_no_unsure" and sorted(values) != ["no", "unsure", "yes"]:
                    c.fail(f"{qpath}.choices", "a yes/no/unsure question has exactly the values yes, no and unsure")
                if answer_type != "yes_no_unsure" and len(values) < 2:
                    c.fail(f"{qpath}.choices", "give at least two choices")
            elif raw_choices is not None:
                c.fail(f"{qpath}.choices", f"a {answer_type} question has no choices")
            show_if = None
            if qm.get("show_if") is not None:
                dm = c.mapping(qm["show_if"], f"{qpath}.show_if", {"question", "values"})
                trigger = questions_seen.get(dm.get("question"))
                if trigger is None:
                    c.fail(f"{qpath}.show_if.question", "must name an earlier question")
                else:
                    known = {ch["value"] for ch in trigger["choices"]}
                    for v in c.items(dm.get("values"), f"{qpath}.show_if.values"):
                        if v not in known:
                            c.fail(f"{qpath}.show_if.values", f"'{v}' is not a choice of '{dm['question']}'")
                    show_if = {"question": dm.get("question"), "values": sorted(dm.get("values") or [])}
            question = {
                "code": qcode,
                "type": answer_type,
                "required": bool(qm.get("required", True)),
                "prompt": c.text(qm.get("prompt"), f"{qpath}.prompt"),
                "patient_text": c.text(qm.get("patient_text"), f"{qpath}.patient_text"),
                "why": c.text(qm.get("why"), f"{qpath}.why"),
                "references": refs(qm.get("references"), f"{qpath}.references"),
                "show_if": show_if,
                "choices": choices,
            }
            if qcode in questions_seen:
                c.fail(f"{qpath}.code", f"duplicate question code '{qcode}'")
            questions_seen[qcode] = question
            questions.append(question)
        if not questions:
            c.fail(f"{spath}.questions", "a section needs at least one question")
        sections.append(
            {
                "code": c.code(sm.get("code"), f"{spath}.code"),
                "title": c.text(sm.get("title"), f"{spath}.title"),
                "clinician_guidance": c.text(
                    sm.get("clinician_guidance", ""), f"{spath}.clinician_guidance", allow_empty=True
                ),
                "patient_intro": c.text(sm.get("patient_intro", ""), f"{spath}.patient_intro", allow_empty=True),
                "questions": questions,
            }
        )
    c.unique([s["code"] for s in sections], "sections")

    rules = []
    for ri, item in enumerate(c.items(doc.get("rules") or [], "rules")):
        rpath = f"rules[{ri}]"
        rm = c.mapping(item, rpath, {"code", "risk", "when", *FLAG_KEYS})
        level = rm.get("risk")
        if level not in ("caution", "red_flag"):
            c.fail(f"{rpath}.risk", "a rule raises a caution or a red_flag")
            level = "caution"
        conditions = []
        for ci, citem in enumerate(c.items(rm.get("when"), f"{rpath}.when")):
            cpath = f"{rpath}.when[{ci}]"
            if not isinstance(citem, dict) or ("question" in citem) == ("context" in citem):
                c.fail(cpath, "give exactly one of 'question' or 'context', and 'values'")
                continue
            cm = c.mapping(citem, cpath, {"values"}, {"question", "context"})
            values = sorted(str(v) for v in c.items(cm.get("values"), f"{cpath}.values"))
            if not values:
                c.fail(f"{cpath}.values", "list at least one value")
            if "question" in cm:
                target = questions_seen.get(cm["question"])
                if target is None:
                    c.fail(f"{cpath}.question", f"unknown question '{cm['question']}'")
                else:
                    known = {ch["value"] for ch in target["choices"]}
                    for v in values:
                        if v not in known:
                            c.fail(f"{cpath}.values", f"'{v}' is not a choice of '{cm['question']}'")
                conditions.append({"question": cm["question"], "values": values})
            else:
                key = cm["context"]
                if key not in CONTEXT_KEYS:
                    c.fail(f"{cpath}.context", f"expected one of {', '.join(CONTEXT_KEYS)}")
                else:
                    allowed = CONTEXT_KEYS[key] if CONTEXT_KEYS[key] is not None else jurisdiction_codes
                    for v in values:
                        if v not in allowed:
                            c.fail(f"{cpath}.values", f"'{v}' is not a value of {key}")
                conditions.append({"context": key, "values": values})
        if not conditions:
            c.fail(f"{rpath}.when", "a rule needs at least one condition")
        rules.append(
            {
                "code": c.code(rm.get("code"), f"{rpath}.code"),
                "risk": level,
                "when": conditions,
                **flag(rm, rpath, level),
            }
        )
    c.unique([r["code"] for r in rules], "rules")

    all_codes = set(questions_seen) | {r["code"] for r in rules} | {s["code"] for s in key_facts + acknowledgements}
    coverage = doc.get("seed_coverage") or {}
    if not isinstance(coverage, dict):
        c.fail("seed_coverage", "expected a mapping")
        coverage = {}
    for point, codes in coverage.items():
        for code in c.items(codes, f"seed_coverage.{point}"):
            if code not in all_codes:
                c.fail(f"seed_coverage.{point}", f"unknown code '{code}'")

    if c.problems:
        raise ContentError(c.problems)
    return {
        "version": version,
        "change_notes": c.text(doc.get("change_notes", ""), "change_notes", allow_empty=True),
        "references": references,
        "jurisdictions": jurisdictions,
        "key_facts": key_facts,
        "acknowledgements": acknowledgements,
        "sections": sections,
        "rules": rules,
        "seed_coverage": {k: list(v) for k, v in coverage.items()},
    }


def load_content_file(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise ContentError([f"{path.name}: not valid YAML: {exc}"]) from None
    return parse_content(raw)


def version_part(content: dict) -> dict:
    """The part of canonical content that belongs to one checklist version (not the shared library)."""
    return {key: content[key] for key in ("sections", "rules", "key_facts", "acknowledgements")}
