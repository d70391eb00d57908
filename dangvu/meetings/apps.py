from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangvu.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ, học tập nghị quyết"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
