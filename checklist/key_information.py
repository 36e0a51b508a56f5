"""Key information first: a short, cited summary of what a patient most needs to decide.

The US Common Rule asks that consent begin with "a concise and focused presentation of the key
information" (45 CFR 46.116(a)(5)(i)); the issue 14 asks for one screen, at most about 250 words,
reading grade 8 or lower. It is built from a screening's record alone (the read model of the
checklist as asked, the jurisdiction and the findings) and what was proposed, so the signed PDF
prints it from the frozen record. Each point cites the sources of the content it restates; a point
taken from the screening itself (what is proposed, whom to call) names that as its source.

Pure: no database, no request; the pages and the PDF call :func:`key_information`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checklist.records import ScreeningRecord
from checklist.red_flags import OUTCOME_LABELS
from checklist.spec import ReferenceSpec

# More red flags than this are counted rather than listed, to keep the summary to one screen (the
# pages and the PDF list every red flag, with its resolution, just below).
MAX_LISTED_FLAGS = 3


@dataclass(frozen=True)
class Offer:
    """What the clinic proposes, as recorded at the start of the screening."""

    product: str
    maker: str
    use: str
    route: str

    @classmethod
    def of(cls, screening: Any) -> Offer:
        return cls(
            product=screening.product_name,
            maker=screening.product_maker,
            use=screening.intended_use_display,
            route=screening.route_display,
        )


@dataclass(frozen=True)
class KeyLine:
    """One concern, in one line, with its sources and what was decided about it so far."""

    text: str
    references: tuple[ReferenceSpec, ...] = ()
    # A red flag's resolution (checklist.red_flags), "" while it has none; None for a line that is
    # not a red flag ("and 8 more").
    outcome: str | None = None

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, "")) if self.outcome else ""


@dataclass(frozen=True)
class KeyPoint:
    code: str
    label: str
    text: str
    references: tuple[ReferenceSpec, ...] = ()
    source: str = ""  # where the point comes from when it is not a publication
    lines: tuple[KeyLine, ...] = ()

    @property
    def is_cited(self) -> bool:
        return bool(self.references or self.source) and all(line.references for line in self.lines)


@dataclass(frozen=True)
class KeyInformation:
    points: tuple[KeyPoint, ...]

    @property
    def plain_text(self) -> str:
        """Every sentence shown, as one text: what the readability and length checks read."""
        parts = []
        for point in self.points:
            parts.append(f"{point.label}. {point.text}")
            parts.extend(line.text for line in point.lines)
        return " ".join(parts)

    @property
    def word_count(self) -> int:
        return len(re.findall(r"\S+", self.plain_text))

    def numbered(self) -> tuple[list[dict[str, Any]], list[tuple[int, ReferenceSpec]]]:
        """The points with their sources as numbers, and the numbered sources, for a page."""
        numbers: dict[str, int] = {}
        sources: list[tuple[int, ReferenceSpec]] = []

        def cite(refs: tuple[ReferenceSpec, ...]) -> list[int]:
            for ref in refs:
                if ref.code not in numbers:
                    numbers[ref.code] = len(numbers) + 1
                    sources.append((numbers[ref.code], ref))
            return sorted({numbers[ref.code] for ref in refs})

        points = [
            {
                "point": point,
                "refs": cite(point.references),
                "lines": [{"line": line, "refs": cite(line.references)} for line in point.lines],
            }
            for point in self.points
        ]
        return points, sources


def _references(record: ScreeningRecord, *statement_codes: str) -> tuple[ReferenceSpec, ...]:
    """The sources of the checklist's own key facts and statements that a point restates."""
    checklist = record.checklist
    statements = {s.code: s for s in (*checklist.key_facts, *checklist.acknowledgements)}
    codes: list[str] = []
    for code in statement_codes:
        statement = statements.get(code)
        for ref in statement.references if statement is not None else ():
            if ref not in codes:
                codes.append(ref)
    return checklist.resolve(tuple(codes))


def _offer_point(offer: Offer) -> KeyPoint:
    if offer.maker:
        text = _("%(product)s, made by %(maker)s. It is for %(use)s. How it is given: %(route)s.")
    else:
        text = _("%(product)s. It is for %(use)s. How it is given: %(route)s. The maker was not recorded.")
    values = {"product": offer.product, "maker": offer.maker, "use": offer.use.lower(), "route": offer.route.lower()}
    return KeyPoint("offer", _("What is offered"), text % values, source=_("this screening"))


def _approval_point(record: ScreeningRecord) -> KeyPoint:
    place = record.jurisdiction
    refs = record.checklist.resolve(place.references) or _references(record, "no-approved-product")
    checked = date_format(place.last_reviewed_date, "j F Y")
    if place.no_approved_products:
        text = _(
            "As far as we know, no exosome product is approved for this use where you live (%(place)s). "
            "This was last checked on %(date)s."
        )
    else:
        text = _(
            "Ask the clinic to show you the approval for this product and this use where you live (%(place)s). "
            "This was last checked on %(date)s."
        )
    return KeyPoint("approval", _("Approval"), text % {"place": place.name, "date": checked}, references=refs)


def _concerns_point(record: ScreeningRecord) -> KeyPoint:
    flags, cautions = record.assessment.red_flags, len(record.assessment.cautions)
    if not flags:
        if cautions:
            text = ngettext(
                "No serious concerns were found. There is %(n)d thing to check, listed below.",
                "No serious concerns were found. There are %(n)d things to check, listed below.",
                cautions,
            ) % {"n": cautions}
        else:
            text = _("No warning signs were found in your answers. The risks of every exosome product still apply.")
        return KeyPoint("concerns", _("Main concerns"), text, source=_("your answers at this screening"))
    listed = flags[:MAX_LISTED_FLAGS]
    text = ngettext("%(n)d serious concern was found:", "%(n)d serious concerns were found:", len(flags)) % {
        "n": len(flags)
    }
    decided = record.resolutions_by_code
    lines = [
        KeyLine(" ".join(f.patient_text.split()), f.references, decided[f.code].outcome if f.code in decided else "")
        for f in listed
    ]
    more = len(flags) - len(listed)
    if more:
        lines.append(
            KeyLine(
                ngettext(
                    "And %(n)d more serious concern, listed below.",
                    "And %(n)d more serious concerns, listed below.",
                    more,
                )
                % {"n": more},
                tuple(ref for f in flags[len(listed) :] for ref in f.references),
            )
        )
    source = _("your answers at this screening")
    return KeyPoint("concerns", _("Main concerns"), text, source=source, lines=tuple(lines))


def _call_point(record: ScreeningRecord, clinic_contact: str) -> KeyPoint:
    place = record.jurisdiction
    report = place.report_name or place.regulator
    if place.report_phone:
        reporting = _("You can also report a side effect to %(where)s (%(phone)s).") % {
            "where": report,
            "phone": place.report_phone,
        }
    else:
        reporting = _("You can also report a side effect to %(where)s.") % {"where": report}
    contact = " ".join(clinic_contact.split())
    text = " ".join(
        part
        for part in (
            _("About a problem after the treatment: %(contact)s") % {"contact": contact} if contact else "",
            _("If it is serious, call your local emergency number."),
            reporting,
        )
        if part
    )
    refs = record.checklist.resolve(place.references) or _references(record, "how-to-report")
    return KeyPoint("call", _("Whom to call"), text, references=refs, source=_("the clinic"))


def key_information(record: ScreeningRecord, *, offer: Offer, clinic_contact: str) -> KeyInformation:
    """The key information for this screening, in the order a patient needs it."""
    points = (
        _offer_point(offer),
        _approval_point(record),
        KeyPoint(
            "nature",
            _("What it is not"),
            _("It is not a stem-cell treatment. It has not been shown to cure any disease."),
            references=_references(record, "exosomes-not-stem-cells", "evidence-early"),
        ),
        _concerns_point(record),
        KeyPoint(
            "unknowns",
            _("What is not known"),
            _("It has risks, such as infection. No one knows the long-term effects yet."),
            references=_references(record, "not-risk-free", "long-term-unknown"),
        ),
        KeyPoint(
            "alternatives",
            _("Other choices"),
            _("You can choose another treatment, or no treatment at all."),
            references=_references(record, "other-choices"),
        ),
        KeyPoint(
            "voluntary",
            _("Your choice"),
            _("The decision is yours. You can wait, say no, or change your mind at any time, even after you sign."),
            source=_("how this consent works"),
        ),
        _call_point(record, clinic_contact),
    )
    return KeyInformation(points=points)


def screening_key_information(screening: Any, record: ScreeningRecord) -> KeyInformation:
    """The key information of a screening from its record, with the clinic's one contact for problems."""
    return key_information(record, offer=Offer.of(screening), clinic_contact=screening.clinic.adverse_event_contact)
