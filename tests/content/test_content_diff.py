"""What a draft changes from the published version, as the publish confirmation lists it."""

from __future__ import annotations

import dataclasses

from checklist.content_diff import content_changes
from checklist.content_schema import CONTENT_DIR, load_content_file
from checklist.selectors import checklist_spec
from checklist.spec import ChoiceSpec, StatementSpec
from checklist.vocabulary import Level


def _replace_question(spec, code, **changes):
    sections = tuple(
        dataclasses.replace(
            s, questions=tuple(dataclasses.replace(q, **changes) if q.code == code else q for q in s.questions)
        )
        for s in spec.sections
    )
    return dataclasses.replace(spec, sections=sections)


def test_the_same_content_has_no_changes(version):
    spec = checklist_spec(version)
    assert content_changes(spec, spec) == []


def test_it_names_each_row_added_removed_and_changed_with_before_and_after(version):
    published = checklist_spec(version)
    question = next(q for q in published.questions if len(q.choices) >= 2)
    draft = _replace_question(
        published,
        question.code,
        prompt="A new wording",
        required=not question.required,
        choices=(*question.choices[1:], ChoiceSpec("new", "A new choice")),
    )
    removed_rule, *kept_rules = draft.rules
    first_fact = draft.key_facts[0]
    draft = dataclasses.replace(
        draft,
        rules=tuple(kept_rules),
        key_facts=(dataclasses.replace(first_fact, text="Reworded fact"), *draft.key_facts[1:]),
        acknowledgements=(*draft.acknowledgements, StatementSpec("ack_new", "A new statement")),
    )
    changes = {(c.kind, c.name, c.change): c for c in content_changes(published, draft)}

    changed = changes[("question", question.code, "changed")]
    fields = {f.field: (f.before, f.after) for f in changed.fields}
    assert fields["prompt"] == (question.prompt, "A new wording")
    assert fields["required"] == (("yes", "no") if question.required else ("no", "yes"))
    assert set(fields) == {"prompt", "required"}
    dropped = question.choices[0]
    assert ("choice", f"{question.code}: {dropped.value}", "removed") in changes
    assert changes[("choice", f"{question.code}: new", "added")].title == "A new choice"
    assert ("rule", removed_rule.code, "removed") in changes
    fact = changes[("key_fact", first_fact.code, "changed")]
    assert [(f.field, f.before, f.after) for f in fact.fields] == [("text", first_fact.text, "Reworded fact")]
    assert changes[("acknowledgement", "ack_new", "added")].title == "A new statement"
    assert len(changes) == 6


def test_a_level_change_is_shown_in_words(version):
    published = checklist_spec(version)
    question = next(q for q in published.questions if any(c.level == Level.NONE for c in q.choices))
    calm = next(c for c in question.choices if c.level == Level.NONE)
    choices = tuple(
        dataclasses.replace(c, level=Level.CAUTION, clinician_flag="x", patient_flag="y") if c is calm else c
        for c in question.choices
    )
    draft = _replace_question(published, question.code, choices=choices)
    (change,) = content_changes(published, draft)
    level = next(f for f in change.fields if f.field == "level")
    assert (level.before, level.after) == (str(Level.NONE.label), str(Level.CAUTION.label))


def test_with_nothing_published_every_row_is_added(version):
    draft = checklist_spec(version)
    changes = content_changes(None, draft)
    assert {c.change for c in changes} == {"added"}
    assert sum(c.kind == "question" for c in changes) == len(draft.questions)


def test_it_lists_what_a_version_changes_in_a_jurisdictions_record(version):
    v2 = load_content_file(CONTENT_DIR / "v2.yaml").checklist
    changes = {(c.kind, c.name): c for c in content_changes(checklist_spec(version), v2)}
    canada = changes[("jurisdiction", "CA")]
    assert canada.change == "changed" and canada.title == "Canada"
    fields = {f.field: f for f in canada.fields}
    assert "Health Canada treats cell therapies" in fields["summary"].before
    assert fields["summary"].after.startswith("In August 2025, Health Canada")
    assert fields["last_reviewed"].before == "2026-11-22" and fields["last_reviewed"].after == "2026-12-02"
    assert "health-canada-2025-exosome-skin-notice" in fields["references"].after
    korea = {f.field: f for f in changes[("jurisdiction", "KR")].fields}
    assert korea["report_phone"].before == "" and korea["report_phone"].after == "1644-6223"
    assert ("jurisdiction", "US") in changes and "name" not in {f.field for f in changes[("jurisdiction", "US")].fields}
