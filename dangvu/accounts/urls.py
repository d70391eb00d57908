from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tai-khoan/doi-mat-khau/", views.PasswordChange.as_view(), name="password_change"),
    path("tai-khoan/quan-ly/", views.user_list, name="user_list"),
    path("tai-khoan/quan-ly/<int:pk>/dat-mat-khau/", views.reset_password, name="reset_password"),
    path("tai-khoan/quan-ly/<int:pk>/khoa/", views.deactivate, name="deactivate"),
    path("tai-khoan/quan-ly/<int:pk>/mo-khoa/", views.activate, name="activate"),
    path("tai-khoan/quan-ly/<int:pk>/vai-tro/<int:role_pk>/bo/", views.remove_role, name="remove_role"),
    path("tai-khoan/quan-ly/<int:pk>/khoa-api/<int:token_pk>/thu-hoi/", views.revoke_token, name="revoke_token"),
]
