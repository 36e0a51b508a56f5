from django.apps import AppConfig


class DossiersConfig(AppConfig):
    """Product, lot and clinic dossiers: facts a clinic answers once, with documents, for every patient."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = "Dossiers"
