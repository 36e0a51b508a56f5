"""Reads of dossiers, every one scoped to a clinic: another clinic's product, lot, revision or
document is a 404 (``get_object_or_404`` with the clinic in the lookup)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from checklist.selectors import checklist_spec, checklist_version_published
from checklist.spec import QuestionSpec
from dossiers.models import ClinicProfile, DossierDocument, DossierRevision, Lot, Product


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
