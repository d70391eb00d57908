from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("canh-bao/", views.alert_list, name="list"),
    path("canh-bao/<str:code>/", views.alert_list, name="org"),
]
