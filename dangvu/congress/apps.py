from django.apps import AppConfig


class CongressConfig(AppConfig):
    name = "dangvu.congress"
    label = "congress"
    verbose_name = "Đại hội"

    def ready(self) -> None:
        from dangvu.registry import services as registry_services

        from . import audit  # noqa: F401  registers models with auditlog
        from .services import check_committee_freeze

        if check_committee_freeze not in registry_services.COMMITTEE_POST_CHECKS:
            registry_services.COMMITTEE_POST_CHECKS.append(check_committee_freeze)
