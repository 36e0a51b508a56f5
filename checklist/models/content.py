"""The question bank: versioned checklist content, its references and the jurisdictions.

A published checklist version never changes, because signed screenings point at the exact
questions they were asked under. Everything below a version refuses saves and deletes once
the version has left the draft state; editors copy it to a new draft instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, ProtectedError, Q
from django.db.models.signals import m2m_changed, pre_delete
from django.utils.translation import gettext_lazy as _

from checklist.spec import TEXT_ANSWER_MAX_LENGTH, clean_answer, clean_free_text
from checklist.vocabulary import CHOICE_TYPES, AnswerType, ContextKey, RiskLevel, Scope

__all__ = ["TEXT_ANSWER_MAX_LENGTH", "AnswerType", "RiskLevel", "clean_free_text"]

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$",
    _("Use lowercase letters, digits, hyphens and underscores, starting with a letter or digit."),
)


class PublishedVersionLocked(Exception):
    """Raised when code tries to change a checklist version that is no longer a draft."""


class LibraryEntry(models.Model):
    """Base for the shared library (references, jurisdictions): frozen once a published or retired
    version uses it, because its signed records and PDFs print it. Editors add a new entry (a new
    code) and cite it from a new draft version instead."""

    class Meta:
        abstract = True

    def locking_version(self) -> ChecklistVersion | None:
        """The earliest published or retired version that uses this entry, if any."""
        raise NotImplementedError

    def locked_message(self, version: ChecklistVersion) -> str:
        raise NotImplementedError

    def assert_not_in_published_use(self) -> None:
        if self.pk is None:
            return
        version = self.locking_version()
        if version is not None:
            raise PublishedVersionLocked(self.locked_message(version))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assert_not_in_published_use()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        self.assert_not_in_published_use()
        return super().delete(*args, **kwargs)


def _frozen_versions() -> models.QuerySet[ChecklistVersion]:
    return ChecklistVersion.objects.exclude(status=ChecklistVersion.Status.DRAFT).order_by("number")


class Reference(LibraryEntry):
    """A published source that supports a question, a flag or a statement."""

    code = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=400)
    publisher = models.CharField(max_length=200, blank=True)
    date = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{4}(-\d{2}(-\d{2})?)?$", _("Use YYYY, YYYY-MM or YYYY-MM-DD."))],
    )
    url = models.URLField(max_length=500, blank=True)
    accessed = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{4}-\d{2}-\d{2}$", _("Use YYYY-MM-DD."))],
        help_text=_("For a web page: when its content was checked (not when it was published)."),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher}, {self.date})" if self.publisher else self.title

    @property
    def citation(self) -> str:
        text = ". ".join(p for p in (self.title, self.publisher, self.date) if p)
        return f"{text} (accessed {self.accessed})" if self.accessed else text

    def citing_rows(self) -> dict[str, int]:
        """How many rows cite this reference, by kind: what deleting it would silently uncite."""
        counts = {
            "section introductions": self.sections.count(),
            "questions": self.questions.count(),
            "choices": self.choices.count(),
            "rules": self.rules.count(),
            "key facts": self.key_facts.count(),
            "acknowledgements": self.acknowledgements.count(),
            "teach-back questions": self.teach_back_questions.count(),
            "jurisdiction records": self.jurisdiction_records.count(),
        }
        return {kind: n for kind, n in counts.items() if n}

    def locking_version(self) -> ChecklistVersion | None:
        version = OuterRef("pk")
        cited = (
            Exists(Section.objects.filter(version=version, references=self.pk))
            | Exists(Question.objects.filter(section__version=version, references=self.pk))
            | Exists(Choice.objects.filter(question__section__version=version, references=self.pk))
            | Exists(RiskRule.objects.filter(version=version, references=self.pk))
            | Exists(KeyFact.objects.filter(version=version, references=self.pk))
            | Exists(Acknowledgement.objects.filter(version=version, references=self.pk))
            | Exists(TeachBackQuestion.objects.filter(version=version, references=self.pk))
            | Exists(JurisdictionRecord.objects.filter(version=version, references=self.pk))
        )
        return _frozen_versions().filter(cited).first()

    def locked_message(self, version: ChecklistVersion) -> str:
        return (
            f"Reference {self.code!r} is cited by checklist v{version.number}, which is {version.status}: "
            "it cannot be changed or deleted. Add the corrected source under a new code and cite it "
            "from a new draft version."
        )


class Jurisdiction(LibraryEntry):
    """Where a patient lives: the country's stable identity (code, name, order).

    Screenings and clinics point at it, so it is shared by every version; what the checklist says
    about it (regulator, summary, flags, reporting) is a ``JurisdictionRecord`` of each version.
    Once a published or retired version has a record for it, its name and order are frozen.
    """

    code = models.CharField(max_length=10, unique=True, validators=[RegexValidator(r"^[A-Z]{2,10}$")])
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def locking_version(self) -> ChecklistVersion | None:
        if self.pk is None:
            return None
        return _frozen_versions().filter(jurisdiction_records__jurisdiction=self.pk).first()

    def locked_message(self, version: ChecklistVersion) -> str:
        return (
            f"Jurisdiction {self.code} is part of checklist v{version.number}, which is {version.status}: "
            "its name and order cannot be changed and it cannot be deleted. Its content changes in a "
            "new draft version's record; a different country gets a new code."
        )


class ChecklistVersion(models.Model):
    """One edition of the checklist. Exactly one is published at a time, and at most one is a
    draft: editors work on one copy of the published version, never on drafts side by side."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    number = models.PositiveIntegerField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    # When a newer version was published: the clinics' grace period for drafts started under
    # this one runs from here (Clinic.retired_version_grace_days).
    retired_at = models.DateTimeField(null=True, blank=True)
    change_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    library_revision = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text=_("Renewed whenever a reference or jurisdiction changes, so cached read models are rebuilt."),
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="published"), name="checklist_one_published_version"
            ),
            models.UniqueConstraint(fields=["status"], condition=Q(status="draft"), name="checklist_one_draft_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="checklist_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Checklist v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def assert_editable(self) -> None:
        """Check the stored status, not the in-memory one, so a stale object cannot slip through."""
        if self.pk is None:
            return
        stored = ChecklistVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != self.Status.DRAFT:
            raise PublishedVersionLocked(f"Checklist v{self.number} is {stored} and cannot be changed.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assert_editable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        self.assert_editable()
        return super().delete(*args, **kwargs)

    @classmethod
    def library_changed(cls) -> None:
        """References and jurisdictions are shared by every version and edited in place (by the
        loader and the admin): after such an edit, every process rebuilds its cached read model.
        A fresh random value, never a counter: a rolled-back change must not be reused as a key."""
        cls.objects.update(library_revision=uuid.uuid4().hex)


class VersionContent(models.Model):
    """Base for every row that belongs to a checklist version and freezes with it."""

    class Meta:
        abstract = True

    def owning_version_id(self) -> int | None:
        raise NotImplementedError

    def _assert_version_editable(self) -> None:
        version_id = self.owning_version_id()
        if version_id is None:
            return
        stored = ChecklistVersion.objects.filter(pk=version_id).values_list("status", "number").first()
        if stored and stored[0] != ChecklistVersion.Status.DRAFT:
            raise PublishedVersionLocked(f"Checklist v{stored[1]} is {stored[0]}; its content cannot be changed.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assert_version_editable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        self._assert_version_editable()
        return super().delete(*args, **kwargs)


class JurisdictionRecord(VersionContent):
    """What one checklist version says about a jurisdiction: who regulates these products there,
    whether any is approved, and how to report a reaction. Frozen with its version."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="jurisdiction_records")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="records")
    regulator = models.CharField(max_length=200)
    summary = models.TextField(help_text=_("Plain-language regulatory position for the patient."))
    no_approved_products = models.BooleanField(
        default=True, help_text=_("No exosome product is approved here for these uses.")
    )
    bans_human_derived_cosmetics = models.BooleanField(default=False)
    report_name = models.CharField(max_length=200, blank=True)
    report_url = models.URLField(max_length=300, blank=True)
    report_phone = models.CharField(max_length=50, blank=True)
    report_instructions = models.TextField(blank=True)
    last_reviewed = models.DateField()
    references = models.ManyToManyField(Reference, blank=True, related_name="jurisdiction_records")

    class Meta:
        ordering = ["version", "jurisdiction__position", "jurisdiction__name"]
        verbose_name = _("jurisdiction record")
        constraints = [
            models.UniqueConstraint(fields=["version", "jurisdiction"], name="checklist_jurisdiction_record_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} (v{self.version.number})" if self.version_id else str(self.jurisdiction)

    def owning_version_id(self) -> int | None:
        return self.version_id


class Section(VersionContent):
    """One step of the checklist, e.g. "Source and donor screening"."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=50, validators=[code_validator])
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    clinician_guidance = models.TextField(blank=True)
    patient_intro = models.TextField(blank=True)
    references = models.ManyToManyField(
        Reference, blank=True, related_name="sections", help_text=_("The sources of the patient introduction.")
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklist_section_code_unique"),
            models.UniqueConstraint(fields=["version", "position"], name="checklist_section_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def owning_version_id(self) -> int | None:
        return self.version_id


class Question(VersionContent):
    """A question of a section, asked by the clinician and read to the patient in plain words."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=60, validators=[code_validator])
    position = models.PositiveSmallIntegerField()
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    required = models.BooleanField(default=True)
    prompt = models.TextField(help_text=_("The clinician's question."))
    patient_text = models.TextField(help_text=_("Plain-language wording to read to the patient."))
    why = models.TextField(help_text=_("Why it matters, in plain words for the patient."))
    depends_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="dependants",
        help_text=_("Show this question only when that question's answer is among the values below."),
    )
    depends_on_values = models.JSONField(default=list, blank=True)
    references = models.ManyToManyField(Reference, blank=True, related_name="questions")
    scope = models.CharField(
        max_length=10,
        choices=Scope.choices,
        default=Scope.PATIENT,
        help_text=_("Whose fact this is: a clinic, product or lot fact can be answered once for many patients."),
    )

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="checklist_question_code_unique"),
            models.UniqueConstraint(fields=["section", "position"], name="checklist_question_position_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    def owning_version_id(self) -> int | None:
        return self.section.version_id if self.section_id else None

    @property
    def has_choices(self) -> bool:
        return self.answer_type in CHOICE_TYPES

    def clean(self) -> None:
        if self.depends_on_id and not self.depends_on_values:
            raise ValidationError({"depends_on_values": _("List the answers that make this question appear.")})
        other = self.depends_on
        if other is not None and self.section_id and other.section.version_id != self.section.version_id:
            raise ValidationError({"depends_on": _("A question can only depend on one of the same version.")})

    def clean_answer(
        self, value: Any, *, choice_values: set[str] | None = None, exclusive_values: set[str] | None = None
    ) -> str | list[str] | None:
        """Validate and normalise an answer against this question's type (see ``spec.clean_answer``).

        ``choice_values`` and ``exclusive_values`` let callers pass already-loaded choices.
        """
        if self.has_choices and (choice_values is None or exclusive_values is None):
            choices = list(self.choices.all())
            if choice_values is None:
                choice_values = {c.value for c in choices}
            if exclusive_values is None:
                exclusive_values = {c.value for c in choices if c.exclusive}
        return clean_answer(
            self.answer_type, value, choice_values=choice_values or set(), exclusive_values=exclusive_values or set()
        )


class FlagText(models.Model):
    """The wording of a flag: for the clinician, for the patient, and what the patient can ask."""

    clinician_flag = models.TextField(blank=True)
    patient_flag = models.TextField(blank=True)
    ask = models.TextField(blank=True, help_text=_("Plain language: what the patient could ask the clinic."))

    class Meta:
        abstract = True


class Choice(FlagText, VersionContent):
    """One possible answer of a question, with the risk it carries."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    value = models.CharField(max_length=60, validators=[code_validator])
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.NONE)
    references = models.ManyToManyField(Reference, blank=True, related_name="choices")
    exclusive = models.BooleanField(
        default=False,
        help_text=_(
            'Of a multiple-choice question: this choice (such as "None of these") cannot be ticked with others.'
        ),
    )

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="checklist_choice_value_unique"),
            models.CheckConstraint(
                condition=Q(level="none") | (~Q(clinician_flag="") & ~Q(patient_flag="")),
                name="checklist_choice_flag_has_text",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def owning_version_id(self) -> int | None:
        return self.question.section.version_id if self.question_id else None


class RiskRule(FlagText, VersionContent):
    """A flag raised only when several answers (and facts of the screening) hold together."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=60, validators=[code_validator])
    position = models.PositiveSmallIntegerField(default=0)
    level = models.CharField(
        max_length=10, choices=[c for c in RiskLevel.choices if c[0] != RiskLevel.NONE], default=RiskLevel.RED_FLAG
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="rules")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklist_rule_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    def owning_version_id(self) -> int | None:
        return self.version_id


class RiskRuleCondition(VersionContent):
    """One condition of a rule: a question's answer, or a fact of the screening, is among values."""

    ContextKey = ContextKey

    rule = models.ForeignKey(RiskRule, on_delete=models.CASCADE, related_name="conditions")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    context_key = models.CharField(max_length=40, choices=ContextKey.choices, blank=True)
    values = models.JSONField(default=list)
    # A dated condition: the subject's date is before this other question's answer or fact.
    before_question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    before_context = models.CharField(max_length=40, choices=ContextKey.choices, blank=True)
    # A gap: the (shown) question has no answer.
    missing = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(question__isnull=False) & Q(context_key=""))
                | (Q(question__isnull=True) & ~Q(context_key="")),
                name="checklist_condition_question_xor_context",
            ),
            models.CheckConstraint(
                condition=Q(before_question__isnull=True) | Q(before_context=""),
                name="checklist_condition_one_before",
            ),
        ]

    def __str__(self) -> str:
        subject = self.question.code if self.question is not None else self.context_key
        return f"{subject} in {self.values}"

    def owning_version_id(self) -> int | None:
        return self.rule.version_id if self.rule_id else None


class Acknowledgement(VersionContent):
    """A consent statement the patient ticks before signing."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    code = models.CharField(max_length=60, validators=[code_validator])
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    references = models.ManyToManyField(Reference, blank=True, related_name="acknowledgements")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklist_ack_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def owning_version_id(self) -> int | None:
        return self.version_id


class KeyFact(VersionContent):
    """A standing uncertainty every patient hears, whatever their answers."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="key_facts")
    code = models.CharField(max_length=60, validators=[code_validator])
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    references = models.ManyToManyField(Reference, blank=True, related_name="key_facts")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklist_keyfact_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def owning_version_id(self) -> int | None:
        return self.version_id


class TeachBackQuestion(VersionContent):
    """A question the patient answers before signing, to show they understood (teach-back).

    Its texts may name the screening's facts, ``{regulator}`` and ``{clinic_contact}``
    (``checklist.teach_back.PLACEHOLDERS``), filled in when it is asked."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="teach_back")
    code = models.CharField(max_length=60, validators=[code_validator])
    position = models.PositiveSmallIntegerField()
    prompt = models.TextField(help_text=_("The question, in plain words, as the clinician reads it to the patient."))
    explanation = models.TextField(
        help_text=_("Plain words to read together when the answer is wrong, before asking again.")
    )
    references = models.ManyToManyField(Reference, blank=True, related_name="teach_back_questions")

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("teach-back question")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="checklist_teachback_code_unique"),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]

    def owning_version_id(self) -> int | None:
        return self.version_id

    def clean(self) -> None:
        from checklist.teach_back import placeholder_problems

        errors = {
            name: placeholder_problems(getattr(self, name))
            for name in ("prompt", "explanation")
            if placeholder_problems(getattr(self, name))
        }
        if errors:
            raise ValidationError(errors)


class TeachBackChoice(VersionContent):
    """One answer the patient may give to a teach-back question; exactly one is right."""

    question = models.ForeignKey(TeachBackQuestion, on_delete=models.CASCADE, related_name="choices")
    value = models.CharField(max_length=60, validators=[code_validator])
    label = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()
    correct = models.BooleanField(default=False, help_text=_("The right answer (one per question)."))

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("teach-back choice")
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="checklist_teachback_choice_value_unique"),
            models.UniqueConstraint(
                fields=["question"], condition=Q(correct=True), name="checklist_teachback_one_right_choice"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def owning_version_id(self) -> int | None:
        return self.question.version_id if self.question_id else None

    def clean(self) -> None:
        from checklist.teach_back import placeholder_problems

        if problems := placeholder_problems(self.label):
            raise ValidationError({"label": problems})


def _reference_cited_is_protected(sender, instance: Reference, **kwargs: Any) -> None:
    """``on_delete=PROTECT`` for the citations: a many-to-many would silently uncite the reference
    from every section, question, choice, rule, statement and jurisdiction. (Kept on Django's own through
    tables, which the admin's citation pickers need.)"""
    citing = instance.citing_rows()
    if citing:
        counts = ", ".join(f"{n} {kind}" for kind, n in citing.items())
        raise ProtectedError(
            f"Reference {instance.code!r} is still cited ({counts}); remove those citations first.", set()
        )


_restoring = ContextVar("checklist_content_restoring", default=False)


@contextmanager
def citation_locks_suspended() -> Iterator[None]:
    """For a restore only: ``loaddata`` sets the citations of rows it saved raw, published ones
    included, in whatever order the rows come (as ``pgtrigger.ignore`` does for the triggers)."""
    token = _restoring.set(True)
    try:
        yield
    finally:
        _restoring.reset(token)


def _citations_of_frozen_content_are_frozen(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs):
    """Adding or removing a citation bypasses ``save()``: check the same locks here."""
    if not action.startswith("pre_") or _restoring.get():
        return
    if isinstance(instance, VersionContent):
        instance._assert_version_editable()
    elif isinstance(instance, LibraryEntry):
        instance.assert_not_in_published_use()
    if reverse and pk_set:
        for target in model.objects.filter(pk__in=pk_set):
            if isinstance(target, VersionContent):
                target._assert_version_editable()
            elif isinstance(target, LibraryEntry):
                target.assert_not_in_published_use()


pre_delete.connect(_reference_cited_is_protected, sender=Reference, dispatch_uid="reference_cited_is_protected")
for _model in (Section, Question, Choice, RiskRule, KeyFact, Acknowledgement, TeachBackQuestion, JurisdictionRecord):
    m2m_changed.connect(
        _citations_of_frozen_content_are_frozen,
        sender=_model.references.through,
        dispatch_uid=f"citations_frozen_{_model.__name__}",
    )
