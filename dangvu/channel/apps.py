from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "dangvu.channel"
    label = "channel"
    verbose_name = "Kênh đảng viên"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
