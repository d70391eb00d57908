from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "dangvu.exchange"
    label = "exchange"
    verbose_name = "Trao đổi dữ liệu với cấp trên"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
