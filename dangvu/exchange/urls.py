from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("<str:code>/nhap-goi/", views.upload, name="upload"),
    path("goi/<int:pk>/", views.preview, name="preview"),
    path("goi/<int:pk>/xac-nhan/", views.confirm, name="confirm"),
]
