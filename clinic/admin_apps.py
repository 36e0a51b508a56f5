"""The admin app, configured with ExoSafe's admin site (kept apart from ``clinic.apps``, whose
config Django picks by default)."""

from django.contrib.admin.apps import AdminConfig


class ExoSafeAdminConfig(AdminConfig):
    """Django's admin, whose default site lets in only users verified by a second factor."""

    default_site = "clinic.admin_site.SecondFactorAdminSite"
