"""Excel import/export routes; the lead includes ``urlpatterns`` inside the ``registry`` namespace."""

from django.urls import path, re_path

from . import views_excel

urlpatterns = [
    path("nhap-excel/", views_excel.import_start, name="import_start"),
    re_path(r"^nhap-excel/mau/(?P<kind>organizations|members)\.xlsx$", views_excel.import_template,
            name="import_template"),
    path("nhap-excel/<int:pk>/", views_excel.import_preview, name="import_preview"),
    path("nhap-excel/<int:pk>/xac-nhan/", views_excel.import_confirm, name="import_confirm"),
    path("dang-vien/xuat-excel/", views_excel.member_export, name="member_export"),
]
