"""Whether a screening's red flags let "go ahead" be signed: pure logic on the read model.

Each red flag needs a resolution before the patient can go ahead (issue 14): the evidence was seen,
or the patient accepts the risk, or the treatment will not go ahead (which rules out going ahead).
Cautions are discussed but never block. The service that signs, the consent page and the flags
step all ask :func:`go_ahead_check`, so the page and the server cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from checklist.records import ResolutionRecord
from checklist.risk import Finding

RESOLVED = "resolved"
ACCEPTED = "accepted"
NOT_PROCEEDING = "not_proceeding"
OUTCOMES = (RESOLVED, ACCEPTED, NOT_PROCEEDING)
OUTCOME_LABELS = {
    RESOLVED: gettext_lazy("Resolved: evidence seen"),
    ACCEPTED: gettext_lazy("Discussed: the patient accepts this risk"),
    NOT_PROCEEDING: gettext_lazy("Treatment will not go ahead"),
}


@dataclass(frozen=True)
class FlagState:
    """One red flag and what was decided about it so far (None: nothing yet)."""

    finding: Finding
    resolution: ResolutionRecord | None

    @property
    def outcome(self) -> str:
        return self.resolution.outcome if self.resolution is not None else ""

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, "")) if self.outcome else ""


@dataclass(frozen=True)
class GoAheadCheck:
    flags: tuple[FlagState, ...]

    @property
    def unresolved(self) -> tuple[Finding, ...]:
        return tuple(s.finding for s in self.flags if s.resolution is None)

    @property
    def not_proceeding(self) -> tuple[Finding, ...]:
        return tuple(s.finding for s in self.flags if s.outcome == NOT_PROCEEDING)

    @property
    def accepted(self) -> tuple[Finding, ...]:
        return tuple(s.finding for s in self.flags if s.outcome == ACCEPTED)

    @property
    def allowed(self) -> bool:
        return not self.unresolved and not self.not_proceeding

    @property
    def reason(self) -> str:
        """Why "go ahead" cannot be chosen, in words for the clinician; empty when it can."""
        if self.unresolved:
            n = len(self.unresolved)
            return ngettext(
                "Going ahead is not possible yet: %(n)d red flag still needs a resolution.",
                "Going ahead is not possible yet: %(n)d red flags still need a resolution.",
                n,
            ) % {"n": n}
        if self.not_proceeding:
            return _("Going ahead is not possible: a red flag was marked “treatment will not go ahead”.")
        return ""


def go_ahead_check(red_flags: Iterable[Finding], resolutions: Mapping[str, ResolutionRecord]) -> GoAheadCheck:
    return GoAheadCheck(flags=tuple(FlagState(f, resolutions.get(f.code)) for f in red_flags))
