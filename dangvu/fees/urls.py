from django.urls import path

from . import views, views_import, views_remit, views_report

app_name = "fees"

# -- the book, corrections, a member's basis and months, the Excel import --------------
urlpatterns = [
    path("<str:code>/<int:year>-<int:month>/", views.book, name="book"),
    path("khoan-nop/<int:pk>/dinh-chinh/", views.correct, name="correct"),
    path("dang-vien/<int:pk>/", views.member_fees, name="member_fees"),
    path("dang-vien/<int:pk>/muc-dong/", views.basis_set, name="basis_set"),
]
urlpatterns += [
    path("<str:code>/nhap-excel/", views_import.import_start, name="import_start"),
    path("<str:code>/nhap-excel/mau.xlsx", views_import.import_template, name="import_template"),
    path("nhap-excel/<int:pk>/", views_import.import_preview, name="import_preview"),
    path("nhap-excel/<int:pk>/xac-nhan/", views_import.import_confirm, name="import_confirm"),
    # -- remittances up the tree --
    path("<str:code>/nop-cap-tren/", views_remit.remittances, name="remittances"),
    # -- the fee report download ---------------------------------------------------
    path("to-chuc/<str:code>/bao-cao/", views_report.fee_report, name="fee_report"),
]
