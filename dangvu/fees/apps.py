from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "dangvu.fees"
    label = "fees"
    verbose_name = "Đảng phí"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
