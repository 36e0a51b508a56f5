"""The admin is the content editors' tool: drafts are editable, published versions are read only."""

from __future__ import annotations

import hashlib

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from checklist.content_diff import changes_by_kind, content_changes
from checklist.models import (
    Acknowledgement,
    AuditEvent,
    ChecklistVersion,
    Choice,
    Jurisdiction,
    JurisdictionRecord,
    KeyFact,
    PublishedVersionLocked,
    Question,
    Reference,
    RiskRule,
    RiskRuleCondition,
    Screening,
    Section,
    TeachBackChoice,
    TeachBackQuestion,
)
from checklist.selectors import checklist_spec, checklist_version_published, screenings_open_under
from checklist.services.checklist_versions import DraftRefused, checklist_version_copy, checklist_version_publish


def _version_of(obj) -> ChecklistVersion | None:
    if obj is None:
        return None
    if isinstance(obj, ChecklistVersion):
        return obj
    if isinstance(obj, Section | RiskRule | Acknowledgement | KeyFact | TeachBackQuestion | JurisdictionRecord):
        return obj.version
    if isinstance(obj, Question):
        return obj.section.version
    return None


def version_filter(path: str) -> type[admin.SimpleListFilter]:
    """A "By version" filter for content rows whose version is at ``path`` ("version", "section__version")."""

    class VersionFilter(admin.SimpleListFilter):
        title = _("version")
        parameter_name = "version"

        def lookups(self, request, model_admin):
            return [(str(v.pk), version_label(v)) for v in ChecklistVersion.objects.order_by("-number")]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isdigit():
                return queryset.filter(**{path: int(value)})
            return queryset

    return VersionFilter


def version_label(version: ChecklistVersion) -> str:
    return f"v{version.number} ({version.get_status_display().lower()})"


def _confirmation(draft: ChecklistVersion, changes: list) -> str:
    """What "Yes, publish" confirms: this draft with exactly these changes. Content edited after
    the page was shown gives another value, and the page is shown again instead of publishing."""
    digest = hashlib.sha256(repr(changes).encode()).hexdigest()[:32]
    return f"{draft.pk}:{digest}"


class VersionLockMixin(admin.options.BaseModelAdmin):
    """Content of a published or retired version is shown read only."""

    def _editable(self, obj) -> bool:
        version = _version_of(obj)
        return version is None or version.is_editable

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class LockedInlineMixin(VersionLockMixin, admin.options.InlineModelAdmin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)


class SectionInline(LockedInlineMixin, admin.TabularInline):
    model = Section
    fields = ("position", "code", "title")
    show_change_link = True
    extra = 0


class AcknowledgementInline(LockedInlineMixin, admin.StackedInline):
    model = Acknowledgement
    fields = ("position", "code", "text", "references")
    filter_horizontal = ("references",)
    extra = 0


class KeyFactInline(LockedInlineMixin, admin.StackedInline):
    model = KeyFact
    fields = ("position", "code", "text", "references")
    filter_horizontal = ("references",)
    extra = 0


class TeachBackInline(LockedInlineMixin, admin.TabularInline):
    model = TeachBackQuestion
    fields = ("position", "code", "prompt")
    show_change_link = True
    extra = 0


class JurisdictionRecordInline(LockedInlineMixin, admin.TabularInline):
    model = JurisdictionRecord
    fields = ("jurisdiction", "regulator", "no_approved_products", "bans_human_derived_cosmetics", "last_reviewed")
    show_change_link = True
    extra = 0


class RiskRuleInline(LockedInlineMixin, admin.TabularInline):
    model = RiskRule
    fields = ("position", "code", "level")
    show_change_link = True
    extra = 0


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(VersionLockMixin, admin.ModelAdmin):
    list_display = ("number", "status", "published_at", "section_count", "screening_count")
    list_filter = ("status",)
    readonly_fields = ("status", "published_at", "created_at")
    fields = ("number", "status", "published_at", "change_notes", "created_at")
    inlines = (
        SectionInline,
        RiskRuleInline,
        KeyFactInline,
        AcknowledgementInline,
        TeachBackInline,
        JurisdictionRecordInline,
    )
    actions = ("copy_as_new_draft", "publish")

    def has_add_permission(self, request):
        """No blank drafts: a draft is only ever a copy of the published version (the copy action)."""
        return False

    def get_urls(self):
        compare = path(
            "compare/", self.admin_site.admin_view(self.compare_view), name="checklist_checklistversion_compare"
        )
        return [compare, *super().get_urls()]

    def compare_view(self, request):
        """What one version changes from another: any two, picked on the page (by default the
        newest version against the one before it)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        versions = list(ChecklistVersion.objects.order_by("number"))
        by_number = {str(v.number): v for v in versions}
        later = by_number.get(request.GET.get("to", "")) or (versions[-1] if versions else None)
        before_later = [v for v in versions if later and v.number < later.number]
        earlier = by_number.get(request.GET.get("from", "")) or (before_later[-1] if before_later else None)
        refused = any(key in request.GET and request.GET[key] not in by_number for key in ("from", "to"))
        changes = content_changes(checklist_spec(earlier), checklist_spec(later)) if earlier and later else []
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare checklist versions"),
            "opts": self.model._meta,
            "versions": versions,
            "earlier": earlier,
            "later": later,
            "refused": refused,
            "groups": changes_by_kind(changes),
            "change_count": len(changes),
        }
        return TemplateResponse(request, "admin/checklist/checklistversion/compare.html", context)

    def has_copy_permission(self, request):
        return request.user.has_perm("checklist.add_checklistversion")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_sections=Count("sections", distinct=True), n_screenings=Count("screenings", distinct=True))
        )

    @admin.display(description=_("sections"), ordering="n_sections")
    def section_count(self, obj):
        return obj.n_sections

    @admin.display(description=_("screenings"), ordering="n_screenings")
    def screening_count(self, obj):
        return obj.n_screenings

    @admin.action(description=_("Copy the published version as the new draft"), permissions=["copy"])
    def copy_as_new_draft(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select the published version only."), messages.ERROR)
            return
        version = queryset.get()
        try:
            draft = checklist_version_copy(version=version)
        except DraftRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request, _("Copied v%(old)s to draft v%(new)s.") % {"old": version.number, "new": draft.number}
        )

    @admin.action(description=_("Publish… (shows what changes first)"), permissions=["change"])
    def publish(self, request, queryset):
        """First a confirmation page with what the draft changes; publishing only once it is confirmed."""
        if queryset.count() != 1:
            self.message_user(request, _("Publish exactly one version at a time."), messages.ERROR)
            return None
        draft = queryset.get()
        if draft.status != ChecklistVersion.Status.DRAFT:
            self.message_user(
                request,
                _("Checklist v%(n)s is %(status)s; only a draft can be published.")
                % {"n": draft.number, "status": draft.get_status_display().lower()},
                messages.ERROR,
            )
            return None
        published = checklist_version_published()
        changes = content_changes(checklist_spec(published) if published else None, checklist_spec(draft))
        confirmed = request.POST.get("confirmed")
        if confirmed != _confirmation(draft, changes):
            # Not confirmed yet, or confirmed for content that changed since: show what changes now.
            return self._publish_confirmation(request, draft, published, changes, stale=confirmed is not None)
        try:
            version = checklist_version_publish(version=draft)
        except (PublishedVersionLocked, ValueError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(request, _("Published v%(n)s.") % {"n": version.number}, messages.SUCCESS)
        return None

    def _publish_confirmation(
        self, request, draft: ChecklistVersion, published: ChecklistVersion | None, changes: list, *, stale: bool
    ) -> TemplateResponse:
        groups = changes_by_kind(changes)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish checklist v%(n)s?") % {"n": draft.number},
            "opts": self.model._meta,
            "draft": draft,
            "published": published,
            "groups": groups,
            "change_count": len(changes),
            "confirmation": _confirmation(draft, changes),
            "stale": stale,
            "open_screenings": screenings_open_under(published) if published else 0,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/checklist/checklistversion/publish_confirmation.html", context)


class QuestionInline(LockedInlineMixin, admin.TabularInline):
    model = Question
    fields = ("position", "code", "answer_type", "scope", "required", "prompt")
    show_change_link = True
    extra = 0


@admin.register(Section)
class SectionAdmin(VersionLockMixin, admin.ModelAdmin):
    list_display = ("title", "code", "version_column", "position")
    list_filter = (version_filter("version"),)
    list_select_related = ("version",)
    ordering = ("-version__number", "position")
    fields = ("version", "position", "code", "title", "clinician_guidance", "patient_intro", "references")
    filter_horizontal = ("references",)

    @admin.display(description=_("version"), ordering="version__number")
    def version_column(self, obj):
        return version_label(obj.version)

    inlines = (QuestionInline,)


class ChoiceInline(LockedInlineMixin, admin.StackedInline):
    model = Choice
    fields = (
        ("position", "value", "label", "level", "exclusive"),
        "clinician_flag",
        "patient_flag",
        "ask",
        "references",
    )
    filter_horizontal = ("references",)
    extra = 0


@admin.register(Question)
class QuestionAdmin(VersionLockMixin, admin.ModelAdmin):
    list_display = ("code", "version_column", "section", "answer_type", "scope", "required")
    list_filter = (version_filter("section__version"), "section__code", "answer_type", "scope")
    ordering = ("-section__version__number", "section__position", "position")
    search_fields = ("code", "prompt", "patient_text")
    list_select_related = ("section", "section__version")
    filter_horizontal = ("references",)
    raw_id_fields = ("depends_on",)
    inlines = (ChoiceInline,)

    @admin.display(description=_("version"), ordering="section__version__number")
    def version_column(self, obj):
        return version_label(obj.section.version)


class TeachBackChoiceInline(LockedInlineMixin, admin.TabularInline):
    model = TeachBackChoice
    fields = ("position", "value", "label", "correct")
    extra = 0


@admin.register(TeachBackQuestion)
class TeachBackQuestionAdmin(VersionLockMixin, admin.ModelAdmin):
    """Teach-back questions: asked before signing; texts may use {regulator} and {clinic_contact}."""

    list_display = ("code", "version_column", "prompt", "position")
    list_filter = (version_filter("version"),)
    list_select_related = ("version",)
    ordering = ("-version__number", "position")
    search_fields = ("code", "prompt", "explanation")
    fields = ("version", "position", "code", "prompt", "explanation", "references")
    filter_horizontal = ("references",)
    inlines = (TeachBackChoiceInline,)

    @admin.display(description=_("version"), ordering="version__number")
    def version_column(self, obj):
        return version_label(obj.version)


class RiskRuleConditionInline(LockedInlineMixin, admin.TabularInline):
    model = RiskRuleCondition
    fields = ("question", "context_key", "values")
    raw_id_fields = ("question",)
    extra = 0


@admin.register(RiskRule)
class RiskRuleAdmin(VersionLockMixin, admin.ModelAdmin):
    list_display = ("code", "version_column", "level")
    list_filter = (version_filter("version"), "level")
    list_select_related = ("version",)
    ordering = ("-version__number", "position")
    filter_horizontal = ("references",)
    inlines = (RiskRuleConditionInline,)

    @admin.display(description=_("version"), ordering="version__number")
    def version_column(self, obj):
        return version_label(obj.version)


class LibraryAdmin(admin.ModelAdmin):
    """References and jurisdictions are shared by every version: an edit rebuilds cached read models.

    One that a published or retired version uses is shown read only and cannot be deleted (the
    model refuses too); editors add a new entry and cite it from a new draft version.
    """

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.locking_version() is not None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)

    def get_deleted_objects(self, objs, request):
        """List what blocks a delete as Django lists a PROTECT: the admin then refuses with that list."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            version = obj.locking_version()
            if version is not None:
                protected.append(obj.locked_message(version))
            elif isinstance(obj, Reference) and obj.citing_rows():
                counts = ", ".join(f"{n} {kind}" for kind, n in obj.citing_rows().items())
                protected.append(_("%(obj)s, still cited by %(counts)s") % {"obj": obj, "counts": counts})
        return deleted, model_count, perms_needed, protected

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ChecklistVersion.library_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ChecklistVersion.library_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        ChecklistVersion.library_changed()


@admin.register(Reference)
class ReferenceAdmin(LibraryAdmin):
    list_display = ("code", "title", "publisher", "date", "accessed")
    search_fields = ("code", "title", "publisher")


@admin.register(Jurisdiction)
class JurisdictionAdmin(LibraryAdmin):
    """The country only: what each version says about it is that version's jurisdiction record."""

    list_display = ("code", "name", "position")


@admin.register(JurisdictionRecord)
class JurisdictionRecordAdmin(VersionLockMixin, admin.ModelAdmin):
    """What a version says about a jurisdiction: editable in the draft, read only once published."""

    list_display = ("jurisdiction", "version_column", "regulator", "bans_human_derived_cosmetics", "last_reviewed")
    list_filter = (version_filter("version"), "jurisdiction")
    list_select_related = ("version", "jurisdiction")
    ordering = ("-version__number", "jurisdiction__position")
    filter_horizontal = ("references",)

    def has_add_permission(self, request):
        """Records come with their version (loaded or copied); a country added later gets its
        record in the draft, which is the only version that may take one."""
        return (
            super().has_add_permission(request)
            and ChecklistVersion.objects.filter(status=ChecklistVersion.Status.DRAFT).exists()
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = ChecklistVersion.objects.filter(status=ChecklistVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("version"), ordering="version__number")
    def version_column(self, obj):
        return version_label(obj.version)


@admin.register(Screening)
class ScreeningAdmin(SimpleHistoryAdmin):
    """Support staff can look; changes go through the app's own screens and their rules."""

    list_display = ("reference", "clinic", "patient_name", "status", "overall_risk", "updated_at")
    list_filter = ("status", "overall_risk", "clinic")
    search_fields = ("reference", "patient_name", "patient_reference")
    list_select_related = ("clinic",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "clinic", "actor", "screening")
    list_filter = ("action", "clinic")
    list_select_related = ("clinic", "actor", "screening")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("ExoSafe administration")
admin.site.site_title = _("ExoSafe admin")
