from django.urls import path

from . import views

app_name = "admission"

urlpatterns = [
    path("ket-nap/", views.home, name="home"),
    path("to-chuc/<str:code>/ket-nap/", views.pipeline, name="pipeline"),
    path("to-chuc/<str:code>/ket-nap/them/", views.prospect_create, name="prospect_create"),
    path("to-chuc/<str:code>/ket-nap/chi-tieu/", views.quota_edit, name="quota_edit"),
    path("quan-chung/<int:pk>/", views.prospect_detail, name="prospect_detail"),
    path("quan-chung/<int:pk>/sua/", views.prospect_edit, name="prospect_edit"),
    path("quan-chung/<int:pk>/buoc/<str:step>/", views.prospect_step, name="prospect_step"),
]
