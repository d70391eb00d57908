from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("to-chuc/<str:code>/", views.org_programmes, name="org_programmes"),
    path("to-chuc/<str:code>/lap-chuong-trinh/", views.programme_add, name="programme_add"),
    path("chuong-trinh/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("chuong-trinh/<int:pk>/them/", views.item_add, name="item_add"),
    path("chuong-trinh/<int:pk>/nap-van-ban/", views.programme_load, name="programme_load"),
    path("cuoc/<int:pk>/", views.item_detail, name="item_detail"),
    path("cuoc/<int:pk>/quyet-dinh/", views.item_start, name="item_start"),
    path("cuoc/<int:pk>/bao-cao/", views.item_report, name="item_report"),
    path("cuoc/<int:pk>/ket-luan/", views.item_conclude, name="item_conclude"),
    path("cuoc/<int:pk>/kien-nghi/", views.recommendation_add, name="recommendation_add"),
    path("kien-nghi/<int:pk>/hoan-thanh/", views.recommendation_done, name="recommendation_done"),
]
