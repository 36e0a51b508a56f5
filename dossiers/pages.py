"""What a screening's pages show of its dossiers: the pre-answered questions of a step grouped by
the dossier they came from, and on review where each answer came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklist.question_cards import QuestionCard
from checklist.records import DossierOverrideRecord, DossierSourceRecord, DossierUseRecord
from dossiers.models import DossierKind
from dossiers.selectors import SOURCE_TITLES

OVERRIDE_NOTE_PREFIX = "override__"


def override_note_name(code: str) -> str:
    return f"{OVERRIDE_NOTE_PREFIX}{code}"


def override_notes(data: Mapping[str, str], codes: Sequence[str]) -> dict[str, str]:
    """The override notes sent with a step, by question code."""
    return {code: data.get(override_note_name(code), "") for code in codes}


@dataclass(frozen=True)
class DossierCardItem:
    card: QuestionCard
    answer: str
    override: DossierOverrideRecord | None
    note: str  # the override note to show in its box (the one sent, after an error)

    @property
    def note_name(self) -> str:
        return override_note_name(self.card.question.code)

    @property
    def open(self) -> bool:
        """The "change for this patient" box starts open when it holds a change or an error."""
        return bool(self.override or self.card.errors)


@dataclass(frozen=True)
class DossierCardGroup:
    source: DossierSourceRecord
    items: tuple[DossierCardItem, ...]

    @property
    def title(self) -> str:
        return str(SOURCE_TITLES.get(DossierKind(self.source.scope), ""))

    @property
    def reviewed_on(self) -> dt.date:
        return dt.date.fromisoformat(self.source.reviewed_on)


def dossier_card_groups(
    dossier: DossierUseRecord | None,
    cards: Sequence[QuestionCard],
    *,
    answer_texts: Mapping[str, str],
    sent: Mapping[str, str] | None = None,
) -> tuple[list[DossierCardGroup], list[QuestionCard]]:
    """The step's visible dossier-answered cards grouped by their dossier, and the other cards."""
    if dossier is None:
        return [], list(cards)
    by_scope: dict[str, list[DossierCardItem]] = {}
    rest = []
    for card in cards:
        code = card.question.code
        source = dossier.source_by_code.get(code)
        if source is None or not card.visible:
            rest.append(card)
            continue
        override = dossier.overrides_by_code.get(code)
        note = sent.get(override_note_name(code), "") if sent is not None else (override.note if override else "")
        by_scope.setdefault(source.scope, []).append(
            DossierCardItem(card=card, answer=answer_texts.get(code, ""), override=override, note=note)
        )
    groups = [
        DossierCardGroup(source=source, items=tuple(by_scope[source.scope]))
        for source in dossier.sources
        if source.scope in by_scope
    ]
    return groups, rest
