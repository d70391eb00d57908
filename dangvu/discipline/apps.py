from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "dangvu.discipline"
    label = "discipline"
    verbose_name = "Kỷ luật đảng viên"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
