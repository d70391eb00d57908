from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dangvu.registry"
    label = "registry"
    verbose_name = "Tổ chức đảng và đảng viên"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
