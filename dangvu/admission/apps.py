from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "dangvu.admission"
    label = "admission"
    verbose_name = "Tạo nguồn, kết nạp đảng viên"

    def ready(self) -> None:
        from dangvu.demo.services import register_step

        from . import audit  # noqa: F401  registers models with auditlog
        from .demo import build_admission_demo

        register_step("admission", build_admission_demo)
