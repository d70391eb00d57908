from django.urls import path

from . import views

app_name = "discipline"

urlpatterns = [
    path("to-chuc/<str:code>/", views.org_cases, name="org_cases"),
    path("dang-vien/<int:pk>/mo-vu-viec/", views.open_case, name="open_case"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/<str:step>/", views.case_step, name="case_step"),
]
