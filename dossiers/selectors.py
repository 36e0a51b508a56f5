"""Reads of dossiers, every one scoped to a clinic: another clinic's product, lot, revision or
document is a 404 (``get_object_or_404`` with the clinic in the lookup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklist.audit_text import person_name
from checklist.records import DossierDocumentRecord, DossierOverrideRecord, DossierSourceRecord, DossierUseRecord
from checklist.selectors import checklist_spec, checklist_version_published
from checklist.spec import QuestionSpec
from checklist.vocabulary import Level
from dossiers.answers import DossierFlag, dossier_answers, dossier_flags, same_answer
from dossiers.models import (
    ClinicProfile,
    DossierDocument,
    DossierKind,
    DossierOverride,
    DossierRevision,
    Lot,
    Product,
    ScreeningDossier,
)


def scope_questions(kind: str, version=None) -> tuple[QuestionSpec, ...]:
    """The questions of the published (or given) version whose scope is this dossier's kind, read
    from the version's own questions."""
    version = version or checklist_version_published()
    if version is None:
        return ()
    return tuple(q for q in checklist_spec(version).questions if q.scope == kind)


def products_for_clinic(clinic) -> QuerySet[Product]:
    """The clinic's products with their lots (one query each), for the dossier list."""
    lots = Lot.objects.filter(clinic=clinic).order_by("-expiry_date", "lot_number")
    return (
        Product.objects.filter(clinic=clinic)
        .annotate(document_count=Count("documents", distinct=True))
        .prefetch_related(Prefetch("lots", queryset=lots))
        .order_by("name")
    )


def product_for_clinic(clinic, product_id) -> Product:
    return get_object_or_404(Product, pk=product_id, clinic=clinic)


def lot_for_clinic(clinic, lot_id) -> Lot:
    return get_object_or_404(Lot.objects.select_related("product"), pk=lot_id, clinic=clinic)


def document_for_clinic(clinic, document_id) -> DossierDocument:
    return get_object_or_404(DossierDocument, pk=document_id, clinic=clinic)


def revision_for_clinic(clinic, revision_id) -> DossierRevision:
    return get_object_or_404(DossierRevision.objects.select_related("created_by"), pk=revision_id, clinic=clinic)


def clinic_profile_of(clinic) -> ClinicProfile | None:
    return ClinicProfile.objects.filter(clinic=clinic).first()


def latest_revision(subject) -> DossierRevision | None:
    """The newest revision of a product, lot or clinic profile (None before its first save)."""
    if subject is None or subject.pk is None:
        return None
    return subject.revisions.select_related("created_by").order_by("-number").first()


def revisions_of(subject) -> QuerySet[DossierRevision]:
    return subject.revisions.select_related("created_by").order_by("-number")


_USE_CACHE = "_dossier_use_cache"


def screening_dossier_of(screening) -> ScreeningDossier | None:
    """The product, lot and revisions a screening was made from (None for one typed in full),
    read once per screening object."""
    if not hasattr(screening, _USE_CACHE):
        if _known_without_dossier(screening):
            return None
        if "dossier_use" not in screening._state.fields_cache and not _has_dossier(screening):
            # Loaded without the link (the locked read of signing): most screenings are typed in
            # full, and a plain probe costs far less than the joined read below.
            setattr(screening, _USE_CACHE, None)
            return None
        use = (
            ScreeningDossier.objects.select_related(
                "product",
                "lot",
                "product_revision__created_by",
                "lot_revision__created_by",
                "clinic_revision__created_by",
            )
            .filter(screening_id=screening.pk)
            .first()
        )
        setattr(screening, _USE_CACHE, use)
    return getattr(screening, _USE_CACHE)


def _has_dossier(screening) -> bool:
    return ScreeningDossier.objects.filter(screening_id=screening.pk).exists()


def _known_without_dossier(screening) -> bool:
    """True when the screening was loaded with ``select_related("dossier_use")`` and has none:
    the page then needs no query to know that it was typed in full."""
    cache = screening._state.fields_cache
    return "dossier_use" in cache and cache["dossier_use"] is None


def screening_dossier_forget(screening) -> None:
    """After a write: the next read of the screening's dossier goes to the database."""
    if hasattr(screening, _USE_CACHE):
        delattr(screening, _USE_CACHE)
    screening._state.fields_cache.pop("dossier_use", None)


SOURCE_TITLES = {
    DossierKind.PRODUCT: _("From the product dossier"),
    DossierKind.LOT: _("From the lot dossier"),
    DossierKind.CLINIC: _("From the clinic profile"),
}


def _subject_title(use: ScreeningDossier, scope: str) -> str:
    if scope == DossierKind.PRODUCT:
        return str(use.product)
    if scope == DossierKind.LOT:
        return str(_("Lot %(number)s") % {"number": use.lot.lot_number})
    return str(_("Clinic profile"))


def dossier_use_record(screening) -> DossierUseRecord | None:
    """Which answers of the screening came from which dossier revision, with the product's and lot's
    documents by name and date, and the answers changed for this patient (what signing freezes)."""
    use = screening_dossier_of(screening)
    if use is None:
        return None
    spec = checklist_spec(screening.version)
    documents = list(
        DossierDocument.objects.filter(Q(product_id=use.product_id) | Q(lot_id=use.lot_id))
        .order_by("uploaded_at")
        .values_list("product_id", "title", "uploaded_at")
    )
    sources = []
    for scope in (DossierKind.PRODUCT, DossierKind.LOT, DossierKind.CLINIC):
        revision = use.revision_for(scope)
        if revision is None:
            continue
        codes = tuple(q.code for q in spec.questions if q.scope == scope and q.code in use.dossier_answers)
        listed = (
            []
            if scope == DossierKind.CLINIC
            else [
                DossierDocumentRecord(title=title, uploaded_on=timezone.localdate(at).isoformat())
                for product_id, title, at in documents
                if (product_id is not None) == (scope == DossierKind.PRODUCT)
            ]
        )
        sources.append(
            DossierSourceRecord(
                scope=str(scope),
                title=_subject_title(use, scope),
                revision=revision.number,
                reviewed_by=person_name(revision.created_by),
                reviewed_on=timezone.localdate(revision.created_at).isoformat(),
                question_codes=codes,
                documents=tuple(listed),
            )
        )
    overrides = tuple(
        DossierOverrideRecord(
            question_code=o.question_code,
            dossier_answer=spec.questions_by_code[o.question_code].answer_text(o.dossier_value)
            if o.question_code in spec.questions_by_code
            else "",
            note=o.note,
            by=person_name(o.created_by),
            at=o.created_at.isoformat(),
        )
        for o in DossierOverride.objects.filter(screening_id=screening.pk).select_related("created_by")
    )
    return DossierUseRecord(sources=tuple(sources), overrides=overrides)


@dataclass(frozen=True)
class DossierChange:
    """A dossier saved again since this draft took its answers: what is new."""

    title: str
    revision: int
    by: str
    on: dt.date
    changed_answers: tuple[tuple[str, str, str], ...]  # (question prompt, was, now)


def screening_dossier_changes(screening) -> tuple[DossierChange, ...]:
    """For a draft: each dossier whose newest revision is not the one the screening used, with the
    answers that differ (one query)."""
    use = screening_dossier_of(screening)
    if use is None or screening.is_locked:
        return ()
    newest: dict[str, DossierRevision] = {}
    subjects = Q(product_id=use.product_id) | Q(lot_id=use.lot_id) | Q(profile__clinic_id=screening.clinic_id)
    for revision in DossierRevision.objects.filter(subjects).select_related("created_by").order_by("number"):
        newest[revision.kind] = revision
    spec = checklist_spec(screening.version)
    out = []
    for scope in (DossierKind.PRODUCT, DossierKind.LOT, DossierKind.CLINIC):
        used, latest = use.revision_for(scope), newest.get(scope)
        if latest is None or (used is not None and latest.pk == used.pk):
            continue
        now = dossier_answers(spec, {scope: (latest.fields, latest.answers)}, on=screening_day(screening))
        changed = tuple(
            (q.prompt, q.answer_text(use.dossier_answers.get(q.code)), q.answer_text(now.get(q.code)))
            for q in spec.questions
            if q.scope == scope and not same_answer(use.dossier_answers.get(q.code), now.get(q.code))
        )
        out.append(
            DossierChange(
                title=_subject_title(use, scope),
                revision=latest.number,
                by=person_name(latest.created_by),
                on=timezone.localdate(latest.created_at),
                changed_answers=changed,
            )
        )
    return tuple(out)


def screening_day(screening) -> dt.date:
    """The day a lot's expiry is judged on: the planned treatment day, else today."""
    return screening.planned_date or timezone.localdate()


@dataclass(frozen=True)
class FlaggedDossier:
    """A product, lot or the clinic profile whose answers raise a flag for every patient."""

    kind: str
    subject: Any
    flags: tuple[DossierFlag, ...]

    @property
    def red_flags(self) -> tuple[DossierFlag, ...]:
        return tuple(f for f in self.flags if f.level == Level.RED_FLAG)


def revision_flags(
    revision: DossierRevision | None, *, on: dt.date | None = None, spec=None
) -> tuple[DossierFlag, ...]:
    """The flags a dossier revision raises under the published checklist (its fields included:
    an expired lot, one without a certificate, a research-use-only label)."""
    if revision is None:
        return ()
    if spec is None:
        version = checklist_version_published()
        if version is None:
            return ()
        spec = checklist_spec(version)
    answers = dossier_answers(spec, {revision.kind: (revision.fields, revision.answers)}, on=on or timezone.localdate())
    return dossier_flags(spec, answers)


def dossiers_with_red_flags(clinic) -> list[FlaggedDossier]:
    """The clinic's products, lots and profile whose newest revision raises a red flag, in four
    queries whatever the number of products and lots."""
    version = checklist_version_published()
    if version is None:
        return []
    spec = checklist_spec(version)

    def newest(**subject: Any) -> Subquery:
        return Subquery(DossierRevision.objects.filter(**subject).order_by("-number").values("pk")[:1])

    products = list(Product.objects.filter(clinic=clinic).annotate(newest=newest(product=OuterRef("pk"))))
    lots = list(Lot.objects.filter(clinic=clinic).select_related("product").annotate(newest=newest(lot=OuterRef("pk"))))
    profile = ClinicProfile.objects.filter(clinic=clinic).annotate(newest=newest(profile=OuterRef("pk"))).first()
    subjects: list[tuple[str, Any]] = [
        *((DossierKind.PRODUCT, p) for p in products),
        *((DossierKind.LOT, lot) for lot in lots),
        *([(DossierKind.CLINIC, profile)] if profile else []),
    ]
    revisions = DossierRevision.objects.in_bulk([s.newest for _kind, s in subjects if s.newest])
    out = []
    for kind, subject in subjects:
        flags = revision_flags(revisions.get(subject.newest), spec=spec)
        flagged = FlaggedDossier(kind=kind, subject=subject, flags=flags)
        if flagged.red_flags:
            out.append(flagged)
    return out


def screenings_using_lot(lot) -> list:
    """The screenings of this lot still ahead of treatment: drafts, and signed ones not yet treated
    (no time-out) nor withdrawn."""
    from checklist.models import Screening

    return list(
        Screening.objects.filter(clinic_id=lot.clinic_id, dossier_use__lot=lot)
        .filter(
            Q(status__in=[Screening.Status.DRAFT, Screening.Status.AWAITING_SIGNATURE])
            | Q(status=Screening.Status.SIGNED, time_out__isnull=True, withdrawal__isnull=True)
        )
        .only("id", "reference", "patient_name", "status", "created_at")
        .order_by("-created_at")
    )
