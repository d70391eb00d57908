from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "dangvu.inspection"
    label = "inspection"
    verbose_name = "Kiểm tra, giám sát"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
