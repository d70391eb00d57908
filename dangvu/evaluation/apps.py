from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "dangvu.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
