from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "pii"
    verbose_name = "Customer profiles"
    default_auto_field = "django.db.models.BigAutoField"
