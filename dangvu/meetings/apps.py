from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangvu.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ, học tập nghị quyết"

    def ready(self) -> None:
        from dangvu.demo.services import register_step

        from . import audit  # noqa: F401  registers models with auditlog
        from .demo import build_meetings_demo

        register_step("meetings", build_meetings_demo)
