from django.urls import path

from . import views

app_name = "classification"

urlpatterns = [
    path("to-chuc/<str:code>/phan-loai-chi-bo/", views.overview, name="overview"),
    path("to-chuc/<str:code>/phan-loai-chi-bo/danh-gia/", views.assess_all, name="assess_all"),
    path("chi-bo/<str:code>/phan-loai/", views.cell, name="cell"),
    path("chi-bo/<str:code>/phan-loai/danh-gia/", views.assess_one, name="assess_one"),
]
