from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _protections_off_for_migrations(using: str, **kwargs) -> None:
    """SQLite: drop the triggers before migrating. A table rebuild (most field changes on SQLite)
    drops its own triggers anyway, and a rebuild of the screenings table fails while the answers'
    triggers, which read it, exist. PostgreSQL keeps its triggers through a migration."""
    from checklist import immutability

    connection = connections[using]
    if connection.vendor == "sqlite":
        immutability.uninstall(connection)


def _protections_on_after_migrations(using: str, **kwargs) -> None:
    """Put back any trigger a migration dropped or outdated; idempotent (checklist/immutability.py)."""
    from checklist import immutability

    immutability.install_if_migrated(connections[using])


class ChecklistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklist"
    verbose_name = "Checklist and screenings"

    def ready(self) -> None:
        from django.core import checks

        from checklist.checks import check_database_roles, check_not_a_demo, check_public_url

        checks.register(check_public_url, checks.Tags.security, deploy=True)
        checks.register(check_not_a_demo, checks.Tags.security, deploy=True)
        checks.register(check_database_roles, checks.Tags.security, deploy=True)
        pre_migrate.connect(_protections_off_for_migrations, sender=self)
        post_migrate.connect(_protections_on_after_migrations, sender=self)
