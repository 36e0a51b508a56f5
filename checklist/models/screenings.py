"""Screenings: one patient, one proposed treatment, the answers given and the consent signed."""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklist.models.content import ChecklistVersion, Jurisdiction, JurisdictionRecord, Question
from checklist.vocabulary import IntendedUse, RiskLevel, Route

# Crockford-style alphabet: no I, L, O or U, so a code read aloud or typed is unambiguous.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def new_screening_reference() -> str:
    return f"EXO-{random_code(4)}-{random_code(4)}"


class JurisdictionFacts(Protocol):
    """What the risk context needs of a country's record (a row or its compiled form)."""

    @property
    def no_approved_products(self) -> bool: ...

    @property
    def bans_human_derived_cosmetics(self) -> bool: ...


class ScreeningLocked(Exception):
    """Raised when code tries to change a screening, or its answers, after it was signed or voided,
    or to change or delete an audit event."""


def _refuse_locked_references(references: list[str], what: str) -> None:
    if references:
        shown = ", ".join(references[:3]) + (", ..." if len(references) > 3 else "")
        raise ScreeningLocked(f"{what} signed or voided screening{'s' if len(references) > 1 else ''} {shown}.")


# The QuerySets below refuse, with a clear message, the bulk writes that would touch a frozen row:
# a mistake in the app's own code then fails loudly at the line that made it. They check and then
# write in two statements; the database's triggers (checklist/immutability.py) are the lock
# itself, and also stop whatever bypasses the ORM. bulk_update() goes through update().


class ScreeningQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        locked = self.filter(status__in=Screening.LOCKED_STATUSES).values_list("reference", flat=True)
        _refuse_locked_references(list(locked[:4]), "update() would change the")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ScreeningLocked("Screenings are kept for the record; void one instead of deleting it.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class ScreeningRowsQuerySet(models.QuerySet):
    """Rows that belong to a screening and freeze with it: its answers, its flag resolutions."""

    noun = "rows"

    def _refuse_if_locked(self, what: str, screening_ids: Any = None) -> None:
        screenings = Screening.objects.filter(status__in=Screening.LOCKED_STATUSES)
        if screening_ids is None:
            screenings = screenings.filter(pk__in=self.values("screening_id"))
        else:
            screenings = screenings.filter(pk__in=screening_ids)
        _refuse_locked_references(list(screenings.values_list("reference", flat=True)[:4]), what)

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_locked(f"update() would change the {self.noun} of")
        target = kwargs.get("screening", kwargs.get("screening_id"))
        if target is not None:
            self._refuse_if_locked(f"update() would move {self.noun} into", [getattr(target, "pk", target)])
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_locked(f"delete() would remove the {self.noun} of")
        return super().delete()

    delete.queryset_only = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list:
        objs = list(objs)
        self._refuse_if_locked(f"bulk_create() would add {self.noun} to", {obj.screening_id for obj in objs})
        return super().bulk_create(objs, *args, **kwargs)


class AnswerQuerySet(ScreeningRowsQuerySet):
    noun = "answers"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ScreeningLocked("Audit events are append-only: update() is refused.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ScreeningLocked("Audit events are append-only: delete() is refused.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class Decision(models.TextChoices):
    PROCEED = "proceed", _("I want to go ahead with the treatment")
    WAIT = "wait", _("I want to wait and think about it")
    DECLINE = "decline", _("I decline the treatment")


# The patient's decision in a few words, for lists with no room for the patient's own sentence.
DECISION_IN_SHORT = {
    Decision.PROCEED: _("Decided to go ahead"),
    Decision.WAIT: _("Wants to wait"),
    Decision.DECLINE: _("Declined the treatment"),
}


class Screening(models.Model):
    """A patient walked through one published checklist version for one proposed treatment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
        SIGNED = "signed", _("Signed")
        VOIDED = "voided", _("Voided")

    LOCKED_STATUSES = (Status.SIGNED, Status.VOIDED)
    # The only fields that may change on a signed screening: voiding it.
    VOID_FIELDS = frozenset({"status", "voided_at", "voided_by_id", "void_reason", "updated_at"})
    # The one other change allowed after signing: storing the PDF, rendered in the background,
    # once. Both fields go from empty to set together; a stored PDF or hash is never replaced.
    PDF_FILL_FIELDS = frozenset({"pdf", "pdf_sha256", "updated_at"})
    # What signing writes (``services.screenings.screening_sign``), and only that: the row's other
    # fields were read under the same lock, and writing their 30 columns back cost half a
    # millisecond of the sign POST.
    SIGNING_FIELDS = frozenset(
        {
            "status",
            "signed_at",
            "decision",
            "patient_signed_name",
            "signature_png",
            "acknowledged_codes",
            "attested_by_id",
            "cosigned_by_id",
            "cosigned_at",
            "findings_snapshot",
            "overall_risk",
            "verification_code",
            "updated_at",
        }
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, default=new_screening_reference, editable=False)
    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="screenings")
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="screenings")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings")

    patient_name = models.CharField(_("patient's full name"), max_length=200)
    patient_dob = models.DateField(_("date of birth"))
    patient_reference = models.CharField(_("clinic reference number"), max_length=50, blank=True)
    patient_language = models.CharField(_("preferred language"), max_length=50, blank=True, default="English")

    product_name = models.CharField(_("product name"), max_length=200)
    product_maker = models.CharField(_("maker"), max_length=200, blank=True)
    intended_use = models.CharField(_("intended use"), max_length=10, choices=IntendedUse.choices)
    intended_use_other = models.CharField(_("other use"), max_length=200, blank=True)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    route_other = models.CharField(_("other route"), max_length=200, blank=True)
    planned_date = models.DateField(_("planned treatment date"), null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("where the patient lives")
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    overall_risk = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.NONE)
    red_flag_count = models.PositiveSmallIntegerField(default=0)
    caution_count = models.PositiveSmallIntegerField(default=0)
    saved_sections = models.JSONField(default=list, blank=True, help_text=_("Codes of the sections saved so far."))
    lock_version = models.PositiveIntegerField(default=0, help_text=_("Bumped on every save of answers."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    signed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    patient_signed_name = models.CharField(max_length=200, blank=True)
    signature_png = models.BinaryField(null=True, blank=True)
    acknowledged_codes = models.JSONField(default=list, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A second clinician's co-signature of a "go ahead" with red flags the patient accepts, where
    # the clinic asks for one (Clinic.cosign_accepted_red_flags).
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    findings_snapshot = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to="consent-pdfs/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=12, unique=True, null=True, blank=True)

    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)
    corrected_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    # A new consent asked for because the signed screening it links to was under a version
    # retired before the treatment (selectors.screenings_to_reconsent).
    reconsent_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reconsents")
    # A draft moved from a retired version to the published one: the version it came from, and
    # the codes of the questions whose answers could not carry over, to ask again.
    moved_from_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ask_again_codes = models.JSONField(default=list, blank=True)

    history = HistoricalRecords(excluded_fields=["signature_png", "findings_snapshot"])

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        # The rules of save() and delete() below are enforced by the database too, on SQLite and
        # PostgreSQL, so that no SQL can change a signed record either: checklist/immutability.py.
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["corrected_from"],
                condition=models.Q(corrected_from__isnull=False),
                name="screening_corrections",
            ),
            models.Index(fields=["clinic", "-created_at"], name="screening_clinic_created"),
            models.Index(fields=["clinic", "status", "-created_at"], name="screening_clinic_status"),
            models.Index(fields=["clinic", "overall_risk", "-created_at"], name="screening_clinic_risk"),
            # The dashboard's "to consent again" count: signed under a retired version, which is
            # few rows of a clinic's many.
            models.Index(fields=["version", "clinic", "status"], name="screening_version_clinic"),
            # In list order, so that a search by record number reads its page off the index.
            models.Index(fields=["clinic", "patient_reference", "-created_at"], name="screening_patient_ref_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="signed") | models.Q(signed_at__isnull=False, attested_by__isnull=False),
                name="screening_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="voided") | ~models.Q(void_reason=""),
                name="screening_voided_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.patient_name})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED_STATUSES

    @property
    def is_editable(self) -> bool:
        return not self.is_locked

    @property
    def decision_in_short(self) -> str:
        return str(DECISION_IN_SHORT[Decision(self.decision)]) if self.decision else ""

    @property
    def route_display(self) -> str:
        return self.route_other if self.route == Route.OTHER and self.route_other else self.get_route_display()

    @property
    def intended_use_display(self) -> str:
        if self.intended_use == IntendedUse.OTHER and self.intended_use_other:
            return self.intended_use_other
        return self.get_intended_use_display()

    @property
    def jurisdiction_record(self) -> JurisdictionRecord | None:
        """What the screening's own checklist version says about where the patient lives; for a
        country that version does not list (added later), the newest version's record.

        One query, read once per object for as long as its version and country stay the same
        (a page asks for it several times: the risk context, the teach-back texts)."""
        key = (self.version_id, self.jurisdiction_id)
        memo = self.__dict__.get("_jurisdiction_record_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        own_first = Case(When(version_id=self.version_id, then=Value(0)), default=Value(1))
        record = (
            JurisdictionRecord.objects.filter(jurisdiction_id=self.jurisdiction_id)
            .order_by(own_first, "-version__number")
            .first()
        )
        self.__dict__["_jurisdiction_record_memo"] = (key, record)
        return record

    def risk_context(self, record: JurisdictionFacts | None = None) -> dict[str, str]:
        """Facts of the screening itself that risk rules may test, besides the answers.

        ``record`` is the country's record as the screening's compiled version holds it (no query:
        ``selectors.screening_risk_context``); without it, the ``JurisdictionRecord`` row is read."""
        record = record if record is not None else self.jurisdiction_record
        # Without any record, assume the cautious case: nothing approved, no cosmetic ban known.
        bans = record is not None and record.bans_human_derived_cosmetics
        no_approved = record is None or record.no_approved_products
        return {
            "route": self.route,
            "intended_use": self.intended_use,
            "jurisdiction": self.jurisdiction.code,
            "jurisdiction_bans_human_cosmetics": "yes" if bans else "no",
            "jurisdiction_no_approved_products": "yes" if no_approved else "no",
            "planned_date": self.planned_date.isoformat() if self.planned_date else "",
        }

    def _changed_fields(self, stored: Screening) -> set[str]:
        return {f.attname for f in self._meta.concrete_fields if getattr(self, f.attname) != getattr(stored, f.attname)}

    @property
    def has_stored_pdf(self) -> bool:
        return bool(self.pdf and self.pdf_sha256)

    def _is_pdf_fill(self, stored: Screening) -> bool:
        """Storing the signed PDF for the first time: both fields set, nothing else changed."""
        return (
            not stored.pdf
            and not stored.pdf_sha256
            and bool(self.pdf)
            and bool(self.pdf_sha256)
            and self._changed_fields(stored) <= self.PDF_FILL_FIELDS
        )

    def _stored_status_is_locked(self) -> bool:
        """Whether the stored row is signed or voided: its status alone, read before the whole row."""
        stored = Screening.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return stored in self.LOCKED_STATUSES

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self._stored_status_is_locked():
            stored = Screening.objects.filter(pk=self.pk).first()
            if stored is not None and stored.is_locked:
                voiding = stored.is_signed and self.status == self.Status.VOIDED
                allowed = (voiding and self._changed_fields(stored) <= self.VOID_FIELDS) or self._is_pdf_fill(stored)
                if not allowed:
                    raise ScreeningLocked(f"Screening {stored.reference} is {stored.status} and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise ScreeningLocked("Screenings are kept for the record; void one instead of deleting it.")


NAME_PREFIX_MAX = 16


def name_search_terms(text: str) -> list[str]:
    """The words of a name as search keys: case, accents and punctuation removed, at most 16 chars."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [word[:NAME_PREFIX_MAX] for word in re.findall(r"\w+", plain)]


class ScreeningNamePrefix(models.Model):
    """Every prefix of every word of a screening's patient name.

    A name search is then an exact, indexed lookup ("jor" finds Jordan Avery) that costs the
    same with a hundred screenings as with a hundred thousand, on SQLite and PostgreSQL alike.
    Kept up to date by the services that set the patient's name; ``created_at`` is the
    screening's, which never changes.
    """

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.CASCADE, related_name="+")
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="name_prefixes")
    prefix = models.CharField(max_length=NAME_PREFIX_MAX)
    created_at = models.DateTimeField(help_text=_("The screening's created_at, so that the lookup is in list order."))

    class Meta:
        # Newest first, as the dashboard lists: a search reads the first page's rows off the
        # index and stops, however many patients share the name (checklist.selectors).
        indexes = [
            models.Index(fields=["clinic", "prefix", "-created_at", "-screening"], name="name_prefix_newest_first")
        ]
        constraints = [
            models.UniqueConstraint(fields=["screening", "prefix"], name="name_prefix_once_per_screening"),
        ]

    def __str__(self) -> str:
        return self.prefix

    @classmethod
    def prefixes_of(cls, name: str) -> set[str]:
        return {word[:end] for word in name_search_terms(name) for end in range(1, len(word) + 1)}


class FrozenWithScreening(models.Model):
    """A row that belongs to a screening and freezes with it (its answers, its flag resolutions):
    ``save()`` and ``delete()`` refuse once the screening is signed or voided."""

    frozen_noun = "rows"
    screening_id: Any

    class Meta:
        abstract = True

    def _assert_screening_open(self) -> None:
        status = Screening.objects.filter(pk=self.screening_id).values_list("status", flat=True).first()
        if status in Screening.LOCKED_STATUSES:
            raise ScreeningLocked(f"The {self.frozen_noun} of a signed or voided screening cannot change.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assert_screening_open()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        self._assert_screening_open()
        return super().delete(*args, **kwargs)


class Answer(FrozenWithScreening):
    """The answer given to one question of a screening, with the clinician's note."""

    frozen_noun = "answers"

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening", "question"], name="answer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.value}"


class AuditEvent(models.Model):
    """An append-only record of what someone did: signed, voided, viewed or downloaded a PDF."""

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.PROTECT, related_name="audit_events")
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=60)
    # Set by audit_log before hashing (not auto_now_add, which would overwrite the hashed value).
    at = models.DateTimeField(default=timezone.now, editable=False)
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (checklist.audit_chain): the digest of the clinic's previous event, and of this
    # event's content including that digest. Deleting, editing or inserting an event breaks it.
    previous_sha256 = models.CharField(max_length=64, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            models.Index(fields=["clinic", "id"], name="audit_clinic_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ScreeningLocked("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise ScreeningLocked("Audit events are append-only.")
