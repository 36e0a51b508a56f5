from django.apps import AppConfig


class ChecklistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklist"
    verbose_name = "Checklist and screenings"

    def ready(self) -> None:
        from django.core import checks

        from checklist.checks import check_not_a_demo, check_public_url

        checks.register(check_public_url, checks.Tags.security, deploy=True)
        checks.register(check_not_a_demo, checks.Tags.security, deploy=True)
