"""Numbered sources for a page: each statement carries marks such as [1, 3] tied to one list.

The consent page numbers the key information's sources first (that partial numbers its own), then
goes on numbering the key facts, the country summary and the statements the patient ticks, so a
number means the same source wherever it appears on the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from checklist.spec import ReferenceSpec


class PageSources:
    """Gives each source a number the first time it is cited, and keeps the list in that order."""

    def __init__(self, already_numbered: Iterable[tuple[int, ReferenceSpec]] = ()):
        self.entries: list[tuple[int, ReferenceSpec]] = []
        self._numbers: dict[str, int] = {}
        for number, ref in already_numbered:
            self._numbers[ref.code] = number
            self.entries.append((number, ref))

    def cite(self, refs: Iterable[ReferenceSpec]) -> list[int]:
        cited = set()
        for ref in refs:
            if ref.code not in self._numbers:
                self._numbers[ref.code] = max(self._numbers.values(), default=0) + 1
                self.entries.append((self._numbers[ref.code], ref))
            cited.add(self._numbers[ref.code])
        return sorted(cited)
