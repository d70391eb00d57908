from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "dangvu.alerts"
    label = "alerts"
    verbose_name = "Cảnh báo"
