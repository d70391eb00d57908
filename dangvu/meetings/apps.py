from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangvu.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ, học tập nghị quyết"

    def ready(self) -> None:
        from dangvu.registry.services import SPECIAL_STATUS_HOOKS

        from . import audit  # noqa: F401  registers models with auditlog
        from .services import recount_member_meetings

        # A special status set after the fact changes who was expected at meetings already recorded.
        SPECIAL_STATUS_HOOKS.append(recount_member_meetings)
