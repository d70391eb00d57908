from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "dangvu.honours"
    label = "honours"
    verbose_name = "Khen thưởng, Huy hiệu Đảng"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
