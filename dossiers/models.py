"""Dossiers: the facts about a product, a lot of it and the clinic itself, answered once for many
patients. Each change is a new revision (who, when, what); screenings point at the revision used."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checklist.models.screenings import FrozenWithScreening, ScreeningRowsQuerySet
from dossiers.storage import private_documents


class ProductLabel(models.TextChoices):
    MEDICINE = "medicine", _("Medicine")
    COSMETIC = "cosmetic", _("Cosmetic")
    RESEARCH_ONLY = "research_only", _("Research use only")


class Product(models.Model):
    """An exosome product the clinic uses: who makes it, what it is made from, how it is labelled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("product name"), max_length=200)
    maker = models.CharField(_("maker"), max_length=200)
    distributor = models.CharField(_("distributor"), max_length=200, blank=True)
    country_of_manufacture = models.CharField(_("country of manufacture"), max_length=100, blank=True)
    source_material = models.CharField(
        _("source material"), max_length=300, blank=True, help_text=_("For example: human umbilical cord cells.")
    )
    label = models.CharField(_("how the product is labelled"), max_length=20, choices=ProductLabel.choices)
    regulatory_documents = models.TextField(
        _("regulatory status"), blank=True, help_text=_("Approval, IND or trial number where there is any.")
    )
    registry_link = models.URLField(_("registry link"), blank=True)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Studies and trial registrations for this product and this use.")
    )
    storage_conditions = models.CharField(_("maker's stated storage conditions"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name", "maker"], name="product_unique_in_clinic")]

    def __str__(self) -> str:
        return f"{self.name} ({self.maker})"

    @property
    def is_research_only(self) -> bool:
        return self.label == ProductLabel.RESEARCH_ONLY


class Lot(models.Model):
    """One lot of a product, as received: its certificate, its expiry, how it was kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="lots")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot number"), max_length=100)
    expiry_date = models.DateField(_("expiry date"))
    has_certificate = models.BooleanField(_("we hold the certificate of analysis"), default=False)
    sterility_result = models.CharField(_("sterility result"), max_length=200, blank=True)
    endotoxin_result = models.CharField(_("endotoxin result"), max_length=200, blank=True)
    received_on = models.DateField(_("date received"), null=True, blank=True)
    storage_log = models.TextField(
        _("storage log"), blank=True, help_text=_("Temperature excursions, freeze-thaw cycles, with dates.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product__name", "-expiry_date", "lot_number"]
        constraints = [models.UniqueConstraint(fields=["product", "lot_number"], name="lot_number_once_per_product")]
        indexes = [models.Index(fields=["clinic", "product"], name="lot_clinic_product")]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"

    def is_expired(self, on: dt.date | None = None) -> bool:
        return self.expiry_date < (on or timezone.localdate())

    @property
    def lacks_certificate(self) -> bool:
        return not self.has_certificate

    @property
    def warnings(self) -> list[str]:
        """What a clinician must see before using this lot: expired, or no certificate."""
        out = []
        if self.is_expired():
            out.append(str(_("Expired")))
        if self.lacks_certificate:
            out.append(str(_("No certificate of analysis")))
        return out


class ClinicSetting(models.TextChoices):
    LICENSED_PREMISES = "licensed", _("Licensed medical premises")
    UNLICENSED = "unlicensed", _("Not licensed medical premises (spa, salon, home visit)")


class ClinicProfile(models.Model):
    """Who treats at the clinic, where, with what emergency plan, and whom a patient calls."""

    clinic = models.OneToOneField("clinic.Clinic", on_delete=models.PROTECT, related_name="profile")
    setting = models.CharField(_("setting"), max_length=20, choices=ClinicSetting.choices)
    practitioners = models.TextField(
        _("licensed practitioners who treat"), help_text=_("One a line: name, licence, licence number.")
    )
    emergency_plan = models.TextField(_("emergency plan and equipment"))
    contact_line = models.CharField(_("patient contact line"), max_length=200)
    out_of_hours_advice = models.TextField(_("out-of-hours advice"), blank=True)
    adverse_event_reporting = models.TextField(_("how the clinic reports adverse events"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profile of {self.clinic}"


class DossierKind(models.TextChoices):
    """Which dossier a revision belongs to; the same values as the question scopes it answers."""

    CLINIC = "clinic", _("Clinic profile")
    PRODUCT = "product", _("Product dossier")
    LOT = "lot", _("Lot dossier")


class DossierRevision(models.Model):
    """One saved state of a dossier: its fields and its answers to the questions of its scope under
    one checklist version. Never changed after it is written; a change is a new revision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=DossierKind.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")
    profile = models.ForeignKey(
        ClinicProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    version = models.ForeignKey("checklist.ChecklistVersion", on_delete=models.PROTECT, related_name="+")
    fields = models.JSONField(default=dict, help_text=_("The dossier's own fields as saved."))
    answers = models.JSONField(default=dict, help_text=_("Question code to answer, for this dossier's scope."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="product", product__isnull=False, lot__isnull=True, profile__isnull=True)
                    | models.Q(kind="lot", product__isnull=True, lot__isnull=False, profile__isnull=True)
                    | models.Q(kind="clinic", product__isnull=True, lot__isnull=True, profile__isnull=False)
                ),
                name="dossier_revision_one_subject",
            ),
            models.UniqueConstraint(
                fields=["product", "number"], condition=models.Q(kind="product"), name="product_revision_number"
            ),
            models.UniqueConstraint(
                fields=["lot", "number"], condition=models.Q(kind="lot"), name="lot_revision_number"
            ),
            models.UniqueConstraint(
                fields=["profile", "number"], condition=models.Q(kind="clinic"), name="profile_revision_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} revision {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A dossier revision is never changed: save a new revision instead.")
        super().save(*args, **kwargs)


class DossierDocument(models.Model):
    """A certificate, regulatory letter or study, checked on upload (dossiers.uploads) and kept
    outside the public media folder; only the clinic's staff can download it."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    title = models.CharField(_("what the document is"), max_length=200)
    file = models.FileField(storage=private_documents, upload_to="dossiers/%Y/%m/")
    file_kind = models.CharField(max_length=5, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=False, lot__isnull=True)
                | models.Q(product__isnull=True, lot__isnull=False),
                name="dossier_document_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ScreeningDossierQuerySet(ScreeningRowsQuerySet):
    noun = "dossier links"


class ScreeningDossier(FrozenWithScreening):
    """Which product, lot and clinic profile a screening was made from, and the exact revisions
    whose answers it took. Frozen with the screening once it is signed: by ``save()``/``delete()``,
    the QuerySet, and the database's triggers (``checklist/immutability.py``)."""

    frozen_noun = "dossier links"

    screening = models.OneToOneField("checklist.Screening", on_delete=models.PROTECT, related_name="dossier_use")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="screening_uses")
    product_revision = models.ForeignKey(DossierRevision, on_delete=models.PROTECT, related_name="+")
    lot_revision = models.ForeignKey(DossierRevision, on_delete=models.PROTECT, related_name="+")
    clinic_revision = models.ForeignKey(
        DossierRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The answers taken from the dossier (question code to value) when it was applied, so that
    # what came from the dossier stays known even after the dossier changes.
    dossier_answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScreeningDossierQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["lot"], name="screening_dossier_lot")]

    def __str__(self) -> str:
        return f"Dossier of {self.screening_id}"

    def revision_for(self, scope: str) -> DossierRevision | None:
        revisions: dict[str, DossierRevision | None] = {
            DossierKind.PRODUCT: self.product_revision,
            DossierKind.LOT: self.lot_revision,
            DossierKind.CLINIC: self.clinic_revision,
        }
        return revisions.get(scope)


class DossierOverrideQuerySet(ScreeningRowsQuerySet):
    noun = "dossier overrides"


class DossierOverride(FrozenWithScreening):
    """An answer the clinician changed for this patient from what the dossier says, with why.
    Frozen with the screening like the dossier links."""

    frozen_noun = "dossier overrides"

    screening = models.ForeignKey("checklist.Screening", on_delete=models.PROTECT, related_name="dossier_overrides")
    question_code = models.CharField(max_length=100)
    dossier_value = models.JSONField(null=True, blank=True)
    value = models.JSONField(null=True, blank=True)
    note = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = DossierOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "question_code"], name="dossier_override_once"),
            models.CheckConstraint(condition=~models.Q(note=""), name="dossier_override_has_note"),
        ]

    def __str__(self) -> str:
        return f"Override of {self.question_code}"
