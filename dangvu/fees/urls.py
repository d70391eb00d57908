from django.urls import path

from . import views_report

app_name = "fees"

urlpatterns = [
    # -- h-feereport: the fee report download ---------------------------------------------------
    path("to-chuc/<str:code>/bao-cao/", views_report.fee_report, name="fee_report"),
]
