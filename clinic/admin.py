"""Clinics and their staff, managed by the site's staff users."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Clinic, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
    list_display = ("name", "phone", "default_jurisdiction", "paper_size")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "clinic", "role")
    list_filter = ("role", "clinic")
    search_fields = ("user__username", "user__email", "clinic__name")
    raw_id_fields = ("user",)
