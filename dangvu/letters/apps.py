from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "dangvu.letters"
    label = "letters"
    verbose_name = "Đơn thư"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
