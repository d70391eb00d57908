from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "dangvu.admission"
    label = "admission"
    verbose_name = "Tạo nguồn, kết nạp đảng viên"

    def ready(self) -> None:
        from . import audit  # noqa: F401  registers models with auditlog
