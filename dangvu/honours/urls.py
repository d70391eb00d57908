from django.urls import path

from . import views

app_name = "honours"

urlpatterns = [
    path("to-chuc/<str:code>/huy-hieu-dang/", views.badges, name="badges"),
    path("to-chuc/<str:code>/huy-hieu-dang/thao-tac/", views.badge_action, name="badge_action"),
    path("to-chuc/<str:code>/huy-hieu-dang/quyet-dinh/", views.badge_decide, name="badge_decide"),
    path("to-chuc/<str:code>/huy-hieu-dang/<str:kind>.<str:fmt>", views.badge_document, name="badge_document"),
    path("to-chuc/<str:code>/khen-thuong/", views.org_commendations, name="org_commendations"),
    path("to-chuc/<str:code>/khen-thuong/them/", views.org_commendation_add, name="org_commendation_add"),
    path("to-chuc/<str:code>/dang-vien-tieu-bieu/", views.exemplary, name="exemplary"),
    path("dang-vien/<int:pk>/khen-thuong/", views.member_commendations, name="member_commendations"),
    path("dang-vien/<int:pk>/khen-thuong/them/", views.member_commendation_add, name="member_commendation_add"),
]
