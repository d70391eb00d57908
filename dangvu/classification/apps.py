from django.apps import AppConfig


class ClassificationConfig(AppConfig):
    name = "dangvu.classification"
    label = "classification"
    verbose_name = "Phân loại chi bộ (bốn tốt)"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
