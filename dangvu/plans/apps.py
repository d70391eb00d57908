from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "dangvu.plans"
    label = "plans"
    verbose_name = "Kế hoạch, chỉ tiêu, nhiệm vụ"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import (
            audit,  # noqa: F401  registers models with auditlog
            snapshots,
        )
        from .landing import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="dangvu.plans.mark_login")
        snapshots.connect()  # stored yearly figures learn of every write that may change them
