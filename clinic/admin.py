"""Clinics and their staff, managed by the site's staff users."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import Clinic, Membership
from clinic.services import second_factor_reset


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
    list_display = ("name", "phone", "default_jurisdiction", "paper_size", "reflection_period_cosmetic")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "clinic", "role")
    list_filter = ("role", "clinic")
    search_fields = ("user__username", "user__email", "clinic__name")
    raw_id_fields = ("user",)


class SecondFactorUserAdmin(UserAdmin):
    """Django's user admin, plus the audited second-factor reset (superusers only)."""

    actions = ("reset_second_factor",)

    @admin.action(description=_("Reset the second factor of the selected users"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            second_factor_reset(user=user, actor=request.user)
        self.message_user(
            request,
            _("Reset %(count)d second factor(s): they set up a new one at their next sign-in.")
            % {"count": len(queryset)},
        )

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser


# One audited door for second-factor devices: the reset above. The plugins' own device pages
# would let a superuser delete or edit a device (or read its secret) without a trace.
for _model in (get_user_model(), TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(get_user_model(), SecondFactorUserAdmin)
