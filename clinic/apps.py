from django.apps import AppConfig


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinics and staff"

    def ready(self):
        from clinic import second_factor  # noqa: F401 - connects the sign-in receiver
